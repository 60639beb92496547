import Foundation

/// An OAuth2 access token and the moment it stops working.
public struct OAuthToken: Sendable, Equatable {
    public var accessToken: String
    public var expiresAt: Date

    public init(accessToken: String, expiresAt: Date) {
        self.accessToken = accessToken
        self.expiresAt = expiresAt
    }
}

/// Caches a client-credentials token until shortly before it expires, and fetches a new one after a 401.
///
/// Concurrent callers share one in-flight fetch: while a fetch runs, later callers wait for its result instead
/// of asking the token endpoint again (Citrix and Entra count token requests too). The waiters are plain
/// continuations on this actor, so no unstructured task outlives the caller.
public actor OAuthTokenCache: Authorizer {
    private let fetch: @Sendable () async throws -> OAuthToken
    private let headerName: String
    private let headerFormat: @Sendable (String) -> String
    private let refreshMargin: Double
    private let now: @Sendable () -> Date
    private var cached: OAuthToken?
    private var fetching = false
    private var waiters: [CheckedContinuation<Result<OAuthToken, any Error>, Never>] = []
    /// How many tokens were fetched, for tests and the status output.
    public private(set) var fetchCount = 0

    /// - Parameters:
    ///   - fetch: asks the token endpoint (see ``OAuthClientCredentials/fetchToken(with:now:)``).
    ///   - headerName: the header that carries the token.
    ///   - headerFormat: the header value for a token; Citrix wants `CWSAuth bearer=<token>`.
    ///   - refreshMargin: seconds before `expiresAt` at which the token counts as expired.
    ///   - now: the clock (injected in tests).
    public init(fetch: @escaping @Sendable () async throws -> OAuthToken,
                headerName: String = "Authorization",
                headerFormat: @escaping @Sendable (String) -> String = { "Bearer \($0)" },
                refreshMargin: Double = 60,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.fetch = fetch
        self.headerName = headerName
        self.headerFormat = headerFormat
        self.refreshMargin = refreshMargin
        self.now = now
    }

    /// A token valid for at least `refreshMargin` more seconds, fetched when the cached one is too old.
    public func token() async throws -> String {
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

    public func authorizationHeader() async throws -> (name: String, value: String) {
        (headerName, headerFormat(try await token()))
    }

    /// Drops the cached token when it is the one that was rejected. Always true: a fresh token may work
    /// (the fetcher retries only once, so a credential that stays rejected fails fast).
    public func invalidate(rejected value: String) async -> Bool {
        if let cached, headerFormat(cached.accessToken) == value { self.cached = nil }
        return true
    }
}
