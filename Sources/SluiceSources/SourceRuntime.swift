import AsyncHTTPClient
package import Logging
package import SluiceCore
package import SluiceHTTP

/// A job's source, ready for one run, with the counters of the requests it makes.
package struct PreparedSource: Sendable {
    package var source: any Source
    /// The HTTP counters of this run so far (requests, bytes, answers by class).
    package var stats: @Sendable () -> HTTPStats

    package init(source: any Source, stats: @escaping @Sendable () -> HTTPStats) {
        self.source = source
        self.stats = stats
    }
}

/// What the runner asks for a job's source. ``SourceRuntime`` is the real one; tests hand in fakes.
package protocol SourceProvider: Sendable {
    /// The source of `job` for one run, logging through `logger`.
    func prepare(_ job: JobDefinition, logger: Logger) -> PreparedSource
}

/// Everything sources need that outlives one run: the HTTP client, the secrets and the redactor, and the
/// process's rate limiters and token caches. It owns source construction, so the runner and the daemon never
/// build HTTP clients or fetchers.
package struct SourceRuntime: SourceProvider {
    let client: HTTPClient
    package let secrets: SecretResolver
    package let redactor: Redactor
    /// Token buckets shared by every run (Power BI's 200 requests/hour per tenant and client).
    package let rateLimiters: RateLimiterRegistry
    /// One OAuth token per credential, for the life of the process.
    package let tokens: TokenCaches
    let observer: (any HTTPObserver)?

    /// Runs `body` with a runtime whose HTTP client exists exactly as long as `body` runs.
    package static func with<Result>(
        secrets: SecretResolver, redactor: Redactor = .shared, observer: (any HTTPObserver)? = nil,
        rateLimiters: RateLimiterRegistry = RateLimiterRegistry(), tokens: TokenCaches = TokenCaches(),
        isolation: isolated (any Actor)? = #isolation,
        _ body: (SourceRuntime) async throws -> Result
    ) async throws -> Result {
        try await HTTPClientFactory.withHTTPClient { client in
            try await body(SourceRuntime(client: client, secrets: secrets, redactor: redactor, rateLimiters: rateLimiters,
                                         tokens: tokens, observer: observer))
        }
    }

    package func prepare(_ job: JobDefinition, logger: Logger) -> PreparedSource {
        let limiter = job.http.rateLimit.map { rateLimiters.limiter(for: "job:\(job.name)", limit: $0) }
        let fetcher = HTTPFetcher(client: client, job: job.name, settings: job.http, logger: logger, redactor: redactor,
                                  rateLimiter: limiter, observer: observer)
        let context = SourceContext(fetcher: fetcher, secrets: secrets, logger: logger, rateLimiters: rateLimiters,
                                    tokens: tokens)
        let source = ShapedSource(inner: SourceFactory.make(for: job, context: context), secrets: secrets)
        return PreparedSource(source: source, stats: { fetcher.stats })
    }
}
