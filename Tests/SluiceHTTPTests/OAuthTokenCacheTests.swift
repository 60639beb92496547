import Foundation
import SluiceHTTP
import Synchronization
import Testing

@Suite struct OAuthTokenCacheTests {
    /// A fetch that hands out `token-1`, `token-2`, … each valid for `lifetime` seconds from `clock`.
    static func numberedTokens(clock: ManualClock, lifetime: Double = 3600) -> @Sendable () async throws -> OAuthToken {
        let issued = Mutex(0)
        return {
            let n = issued.withLock { count in
                count += 1
                return count
            }
            return OAuthToken(accessToken: "token-\(n)", expiresAt: clock.now.addingTimeInterval(lifetime))
        }
    }

    @Test func theTokenIsReusedUntilTheRefreshMarginBeforeExpiry() async throws {
        let clock = ManualClock()
        let cache = OAuthTokenCache(fetch: Self.numberedTokens(clock: clock), refreshMargin: 60, now: { clock.now })
        #expect(try await cache.token() == "token-1")
        clock.advance(3539)
        #expect(try await cache.token() == "token-1")
        clock.advance(1)    // 60 s before expiry: too close
        #expect(try await cache.token() == "token-2")
        #expect(await cache.fetchCount == 2)
    }

    @Test func concurrentCallersShareOneFetch() async throws {
        let clock = ManualClock()
        let gate = Gate()
        let fetches = Mutex(0)
        let cache = OAuthTokenCache(fetch: {
            fetches.withLock { $0 += 1 }
            await gate.wait()
            return OAuthToken(accessToken: "shared", expiresAt: clock.now.addingTimeInterval(3600))
        }, now: { clock.now })
        let tokens = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { try await cache.token() } }
            // Let the first fetch start and the others queue behind it (bounded), then let it finish.
            for _ in 0..<200 where fetches.withLock({ $0 }) == 0 { await Task.yield() }
            for _ in 0..<50 { await Task.yield() }
            await gate.open()
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(tokens == Array(repeating: "shared", count: 8))
        #expect(fetches.withLock { $0 } == 1)
    }

    @Test func invalidatingTheRejectedTokenFetchesANewOne() async throws {
        let clock = ManualClock()
        let cache = OAuthTokenCache(fetch: Self.numberedTokens(clock: clock), now: { clock.now })
        let first = try await cache.authorizationHeader()
        #expect(first.name == "Authorization")
        #expect(first.value == "Bearer token-1")
        #expect(await cache.invalidate(rejected: "Bearer token-1"))
        #expect(try await cache.authorizationHeader().value == "Bearer token-2")
    }

    @Test func aStaleRejectionDoesNotDropTheNewerToken() async throws {
        let clock = ManualClock()
        let cache = OAuthTokenCache(fetch: Self.numberedTokens(clock: clock), now: { clock.now })
        _ = try await cache.token()
        _ = await cache.invalidate(rejected: "Bearer token-1")
        #expect(try await cache.token() == "token-2")
        // A request that still carried token-1 comes back 401 late: token-2 stays.
        #expect(await cache.invalidate(rejected: "Bearer token-1"))
        #expect(try await cache.token() == "token-2")
        #expect(await cache.fetchCount == 2)
    }

    @Test func citrixHeaderFormatIsUsed() async throws {
        let clock = ManualClock()
        let cache = OAuthTokenCache(fetch: Self.numberedTokens(clock: clock), headerFormat: { "CWSAuth bearer=\($0)" },
                                    now: { clock.now })
        #expect(try await cache.authorizationHeader().value == "CWSAuth bearer=token-1")
    }

    @Test func aFailedFetchIsNotCached() async throws {
        let clock = ManualClock()
        let attempts = Mutex(0)
        let cache = OAuthTokenCache(fetch: {
            let n = attempts.withLock { count in
                count += 1
                return count
            }
            if n == 1 { throw TokenEndpointDown() }
            return OAuthToken(accessToken: "second", expiresAt: clock.now.addingTimeInterval(3600))
        }, now: { clock.now })
        await #expect(throws: TokenEndpointDown.self) { try await cache.token() }
        #expect(try await cache.token() == "second")
    }
}

struct TokenEndpointDown: Error {}
