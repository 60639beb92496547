import AsyncHTTPClient
import Logging
import SluiceCore
import SluiceWire
import Synchronization

extension HTTPFetcher {
    /// How the body of a successful answer is handed back.
    enum BodyMode {
        /// Read completely into `Exchange.body`, bounded by `maxBodyBytes`.
        case buffered
        /// Left unread in `Exchange.live` for the caller to stream.
        case streamed
    }

    /// The retry loop around ``exchange(_:authorizer:attempt:mode:)``: returns the first 2xx answer, or throws
    /// the ``SluiceError`` that explains why there is none.
    func perform(_ request: HTTPRequest, authorizer: (any Authorizer)?, mode: BodyMode) async throws -> Exchange {
        var attempt = 1
        var refreshedCredential = false
        while true {
            let result: Exchange
            do {
                result = try await exchange(request, authorizer: authorizer, attempt: attempt, mode: mode)
            } catch let error as SluiceError {
                throw error
            } catch {
                if TransportErrors.isCancellation(error) || Task.isCancelled { throw cancelled(request) }
                let kind = TransportErrors.kind(of: error)
                let transient = kind.usuallyRetryable
                let what = "\(request.method) \(Redactor.safeURL(request.url)) failed: "
                    + TransportErrors.summary(error, url: request.url, redactor: redactor)
                let decision = retryPolicy.decide(status: nil, isTransientError: transient, attempt: attempt,
                                                  retryAfter: nil, now: now(), random: random)
                try await retryOrThrow(decision, request: request, attempt: &attempt, what: what,
                                       kind: kind, status: nil)
                continue
            }
            let status = result.status
            if (200..<300).contains(status) { return result }
            if status == 401, let rejected = result.sentAuthorization, let authorizer {
                if !refreshedCredential, await authorizer.invalidate(rejected: rejected) {
                    refreshedCredential = true
                    logger.info("401 from \(Redactor.safeURL(result.url)): fetching a new token and retrying once",
                                metadata: metadata(request, status: status, attempt: attempt))
                    continue
                }
                let again = refreshedCredential ? " even after fetching a new one" : ""
                throw SluiceError(.auth, job: job, step: request.step,
                                  "401 Unauthorized from \(Redactor.safeURL(result.url)): the token was rejected\(again); "
                                      + "check the secret and the API client's permissions. \(snippet(result.body))",
                                  status: status)
            }
            let what = "HTTP \(status) from \(Redactor.safeURL(result.url)): \(snippet(result.body))"
            let decision = retryPolicy.decide(status: status, attempt: attempt, retryAfter: result.header("Retry-After"),
                                              now: now(), random: random)
            try await retryOrThrow(decision, request: request, attempt: &attempt, what: what,
                                   kind: SluiceError.kind(forHTTPStatus: status), status: status)
        }
    }

    /// Waits and counts the next attempt for `.retry`; throws the final error for `.giveUp`.
    private func retryOrThrow(_ decision: RetryDecision, request: HTTPRequest, attempt: inout Int, what: String,
                              kind: SluiceError.Kind, status: Int?) async throws {
        switch decision {
        case .giveUp(let reason):
            // A status that cannot heal speaks for itself; an exhausted retryable one says how hard we tried.
            let retryable = status.map(RetryPolicy.isTransient(status:)) ?? kind.usuallyRetryable
            let message = retryable ? "\(what) (\(reason))" : what
            throw SluiceError(kind, job: job, step: request.step, message, status: status, retryable: retryable)
        case .retry(let wait):
            var meta = metadata(request, status: status, attempt: attempt)
            meta["http.retry_in_s"] = .stringConvertible(rounded(wait.seconds))
            logger.warning("\(what); retrying in \(rounded(wait.seconds)) s (attempt \(attempt) of \(retryPolicy.maxAttempts))",
                           metadata: meta)
            counters.withLock { $0.retries += 1 }
            do {
                try await clock.sleep(for: wait)
            } catch {
                throw cancelled(request)
            }
            attempt += 1
        }
    }

    func cancelled(_ request: HTTPRequest) -> SluiceError {
        SluiceError(.cancelled, job: job, step: request.step,
                    "cancelled during \(request.method) \(Redactor.safeURL(request.url))")
    }

    /// The first 300 characters of an error body, redacted, on one line.
    func snippet(_ body: [UInt8]) -> String {
        let text = String(decoding: body, as: UTF8.self)
        // Redact before cutting, so a secret is never cut into a prefix the redactor no longer recognises.
        let redacted = redactor.redact(text).split(whereSeparator: \.isNewline).joined(separator: " ").trimmingWhitespace()
        guard !redacted.isEmpty else { return "(empty body)" }
        return redacted.count > 300 ? String(redacted.prefix(300)) + "…" : redacted
    }

    func metadata(_ request: HTTPRequest, status: Int?, attempt: Int) -> Logger.Metadata {
        var meta: Logger.Metadata = [
            "job.name": "\(job)",
            "http.method": "\(request.method)",
            "http.step": "\(request.step)",
            "http.attempt": "\(attempt)",
        ]
        if let status { meta["http.status"] = "\(status)" }
        return meta
    }

    func rounded(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }
}
