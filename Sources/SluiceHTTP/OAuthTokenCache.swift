package import Foundation
package import SluiceCore
package import Synchronization

/// An OAuth2 access token and the moment it stops working.
package struct OAuthToken: Sendable, Equatable {
    package var accessToken: String
    package var expiresAt: Date

    package init(accessToken: String, expiresAt: Date) {
        self.accessToken = accessToken
        self.expiresAt = expiresAt
    }
}

/// Caches a client-credentials token until shortly before it expires, and fetches a new one after a 401.
///
/// One cache per credential lives as long as the process (see ``TokenCaches``): runs of the same job, and jobs
/// that share a credential, reuse the token instead of asking for a new one every run. The fetch itself is
/// passed in by each caller (``token(fetchingWith:)``), so the request is made, counted and logged by the run
/// that needed it.
///
/// Concurrent callers share one in-flight fetch: while a fetch runs, later callers wait for its result instead
/// of asking the token endpoint again (Citrix and Entra count token requests too). The waiters are plain
/// continuations on this actor, so no unstructured task outlives the caller.
package actor OAuthTokenCache: Authorizer {
    private let defaultFetch: (@Sendable () async throws -> OAuthToken)?
    private let headerName: String
    private let headerFormat: @Sendable (String) -> String
    private let refreshMargin: Double
    private let now: @Sendable () -> Date
    private var cached: OAuthToken?
    private var fetching = false
    private var waiters: [CheckedContinuation<Result<OAuthToken, any Error>, Never>] = []
    /// How many tokens were fetched, for tests and the status output.
    package private(set) var fetchCount = 0

    /// - Parameters:
    ///   - fetch: asks the token endpoint when a caller gives no fetch of its own (see
    ///     ``OAuthClientCredentials/fetchToken(with:now:)``).
    ///   - headerName: the header that carries the token.
    ///   - headerFormat: the header value for a token; Citrix wants `CWSAuth bearer=<token>`.
    ///   - refreshMargin: seconds before `expiresAt` at which the token counts as expired.
    ///   - now: the clock (injected in tests).
    package init(fetch: (@Sendable () async throws -> OAuthToken)? = nil,
                headerName: String = "Authorization",
                headerFormat: @escaping @Sendable (String) -> String = { "Bearer \($0)" },
                refreshMargin: Double = 60,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.defaultFetch = fetch
        self.headerName = headerName
        self.headerFormat = headerFormat
        self.refreshMargin = refreshMargin
        self.now = now
    }

    /// A token valid for at least `refreshMargin` more seconds, fetched with the cache's own fetch.
    package func token() async throws -> String {
        guard let defaultFetch else {
            throw SluiceError(.config, step: "token", "this token cache has no fetch of its own")
        }
        return try await token(fetchingWith: defaultFetch)
    }

    /// A token valid for at least `refreshMargin` more seconds; `fetch` asks for a new one when the cached
    /// one is too old (or was rejected).
    package func token(fetchingWith fetch: @Sendable () async throws -> OAuthToken) async throws -> String {
        while true {
            if let cached, now() < cached.expiresAt.addingTimeInterval(-refreshMargin) { return cached.accessToken }
            if fetching {
                let result = await withCheckedContinuation { waiters.append($0) }
                // The fetching caller was cancelled (its shutdown, not ours): fetch again ourselves.
                if case .failure(let error) = result, error is CancellationError, !Task.isCancelled { continue }
                return try result.get().accessToken
            }
            fetching = true
            let result: Result<OAuthToken, any Error>
            do {
                result = .success(try await fetch())
                fetchCount += 1
            } catch {
                result = .failure(error)
            }
            fetching = false
            if case .success(let token) = result { cached = token }
            let waiting = waiters
            waiters = []
            for waiter in waiting { waiter.resume(returning: result) }
            return try result.get().accessToken
        }
    }

    package func authorizationHeader() async throws -> (name: String, value: String) {
        (headerName, headerFormat(try await token()))
    }

    /// The header for a token from this cache, fetching with `fetch` when needed.
    package func authorizationHeader(fetchingWith fetch: @Sendable () async throws -> OAuthToken) async throws
        -> (name: String, value: String) {
        (headerName, headerFormat(try await token(fetchingWith: fetch)))
    }

    /// Drops the cached token when it is the one that was rejected. Always true: a fresh token may work
    /// (the fetcher retries only once, so a credential that stays rejected fails fast).
    package func invalidate(rejected value: String) async -> Bool {
        if let cached, headerFormat(cached.accessToken) == value { self.cached = nil }
        return true
    }
}

/// The process's token caches, one per credential, kept for the life of the process like the rate limiters.
package final class TokenCaches: Sendable {
    private let caches = Mutex<[String: OAuthTokenCache]>([:])

    package init() {}

    /// The cache for the credential `key`, made on first use with `make`.
    package func cache(for key: String, make: () -> OAuthTokenCache) -> OAuthTokenCache {
        caches.withLock { caches in
            if let cache = caches[key] { return cache }
            let cache = make()
            caches[key] = cache
            return cache
        }
    }

    /// How many credentials have a cache.
    package var count: Int { caches.withLock { $0.count } }
}

/// A run's view of a shared ``OAuthTokenCache``: the cache is the credential's, the fetch is this run's.
package struct CachedTokenAuthorizer: Authorizer {
    package let cache: OAuthTokenCache
    let fetch: @Sendable () async throws -> OAuthToken

    package init(cache: OAuthTokenCache, fetch: @escaping @Sendable () async throws -> OAuthToken) {
        self.cache = cache
        self.fetch = fetch
    }

    package func authorizationHeader() async throws -> (name: String, value: String) {
        try await cache.authorizationHeader(fetchingWith: fetch)
    }

    package func invalidate(rejected value: String) async -> Bool {
        await cache.invalidate(rejected: value)
    }
}
