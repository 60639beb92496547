package import AsyncHTTPClient
package import Foundation
package import Logging
package import NIOCore
package import SluiceCore
package import SluiceWire
package import Synchronization

/// Sends one job's requests: retries with backoff and `Retry-After`, 401 refresh, redirects that keep the
/// credential on its own host, a client-side rate limit, bounded buffered bodies and streamed downloads.
///
/// One fetcher per job run; the `HTTPClient` is shared and must be configured with redirects disallowed
/// (see ``HTTPClientFactory``), because redirects are followed here, where `Authorization` can be dropped.
/// Everything it logs or throws has gone through the ``Redactor`` and ``Redactor/safeURL(_:)``.
package final class HTTPFetcher: Sendable {
    package let client: HTTPClient
    package let job: String
    package let settings: HTTPSettings
    package let retryPolicy: RetryPolicy
    /// The largest body ``send(_:authorizer:)`` buffers. The APIs' pages are far smaller (a Power BI page of
    /// 10,000 events is ~20 MB, a Citrix page of 1,000 records ~1 MB); a bigger page is refused, not buffered.
    package let maxBodyBytes: Int
    /// The default of ``maxBodyBytes``.
    package static let defaultMaxBodyBytes = 32 * 1_048_576
    /// Redirect hops followed per attempt.
    package let maxRedirects = 5
    let logger: Logger
    let redactor: Redactor
    let rateLimiter: RateLimiter?
    let observer: (any HTTPObserver)?
    /// Waits between retries (injected: tests use a clock that only records the waits).
    let clock: any Clock<Duration>
    let now: @Sendable () -> Date
    let random: @Sendable (ClosedRange<Double>) -> Double
    let counters = Mutex(HTTPStats())

    /// How much of an error response is kept for the message.
    static let errorBodyLimit = 64 * 1024

    /// - Parameters:
    ///   - maxRetryAfterSeconds: the longest `Retry-After` waited for (see ``RetryPolicy``).
    ///   - random: draws a jittered wait from a range; injected in tests.
    ///   - now: wall clock for HTTP-date `Retry-After` values.
    package init(client: HTTPClient, job: String, settings: HTTPSettings, logger: Logger, redactor: Redactor,
                rateLimiter: RateLimiter? = nil, observer: (any HTTPObserver)? = nil, clock: any Clock<Duration> = ContinuousClock(),
                maxBodyBytes: Int = HTTPFetcher.defaultMaxBodyBytes, maxRetryAfterSeconds: Double = 3600,
                random: @escaping @Sendable (ClosedRange<Double>) -> Double = { Double.random(in: $0) },
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.client = client
        self.job = job
        self.settings = settings
        self.retryPolicy = RetryPolicy(maxAttempts: max(1, settings.maxAttempts),
                                       maxRetryAfterSeconds: maxRetryAfterSeconds)
        self.maxBodyBytes = maxBodyBytes
        self.logger = logger
        self.redactor = redactor
        self.rateLimiter = rateLimiter
        self.observer = observer
        self.clock = clock
        self.now = now
        self.random = random
    }

    /// A snapshot of the counters.
    package var stats: HTTPStats { counters.withLock { $0 } }

    /// Sends `request` and buffers the whole body (at most ``maxBodyBytes``).
    ///
    /// Retries transient failures (body included: nothing was handed out yet); throws a ``SluiceError`` naming
    /// the job, `request.step`, the status and the start of the body otherwise.
    package func send(_ request: HTTPRequest, authorizer: (any Authorizer)?) async throws -> HTTPResponse {
        let exchange = try await perform(request, authorizer: authorizer, mode: .buffered)
        return HTTPResponse(status: exchange.status, headers: exchange.headers, body: exchange.body, url: exchange.url)
    }

    /// Sends `request`, retrying until a 2xx head arrives (same rules as ``send(_:authorizer:)``), then hands
    /// the body to `body` chunk by chunk. The next chunk is read only after `body` returns, so memory stays
    /// bounded whatever the size. A failure after the body started is not retried: the caller fails the run.
    ///
    /// The idle time between chunks is bounded by the client's read timeout (``HTTPClientFactory``).
    package func stream(_ request: HTTPRequest, authorizer: (any Authorizer)?,
                       isolation: isolated (any Actor)? = #isolation,
                       onHead: (HTTPHead) async throws -> Void = { _ in },
                       body: (ByteBuffer) async throws -> Void) async throws {
        let exchange = try await perform(request, authorizer: authorizer, mode: .streamed)
        try await onHead(HTTPHead(status: exchange.status, headers: exchange.headers, url: exchange.url))
        guard let live = exchange.live else { return }
        var iterator = live.makeAsyncIterator()
        var received = 0
        let rate = settings.minTransferRate
        let window = Duration.milliseconds(Int64(rate.perSeconds * 1000))
        var windowStart = ContinuousClock.now
        var windowBytes = 0
        while true {
            let chunk: ByteBuffer?
            do {
                chunk = try await iterator.next()
            } catch {
                if Task.isCancelled || error is CancellationError || (error as? HTTPClientError) == .cancelled {
                    throw SluiceError(.cancelled, job: job, step: request.step, "cancelled while downloading")
                }
                let summary = TransportErrors.summary(error, redactor: redactor)
                throw SluiceError(.network, job: job, step: request.step,
                                  "the download from \(Redactor.safeURL(exchange.url)) broke off after \(received) bytes: \(summary)")
            }
            guard let chunk else { return }
            received += chunk.readableBytes
            windowBytes += chunk.readableBytes
            counters.withLock { $0.bytesRead += chunk.readableBytes }
            let now = ContinuousClock.now
            if now - windowStart >= window {
                guard windowBytes >= rate.bytes else {
                    throw SluiceError(.timeout, job: job, step: request.step,
                                      "the download from \(Redactor.safeURL(exchange.url)) slowed to \(windowBytes) bytes in "
                                          + "\(DurationText.format((now - windowStart).seconds.rounded())), below http.min_transfer_rate "
                                          + "(\(rate.bytes) bytes per \(DurationText.format(rate.perSeconds))); "
                                          + "stopped after \(received) bytes")
                }
                windowStart = now
                windowBytes = 0
            }
            try await body(chunk)
        }
    }

    /// Rejects a pagination link that would carry the credential to a host the job did not configure.
    package func checkLink(_ url: String, configuredBase: String, extraHostSuffixes: [String] = [],
                          step: String) throws {
        guard HostPolicy.isAllowed(url: url, configuredBase: configuredBase, extraHostSuffixes: extraHostSuffixes) else {
            throw SluiceError(.badResponse, job: job, step: step,
                              "refusing to follow a link to \(Redactor.safeURL(url)): it is not on the configured host "
                                  + "\(Redactor.safeURL(configuredBase)), and following it would send the token there")
        }
    }
}
