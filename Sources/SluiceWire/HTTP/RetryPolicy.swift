package import Foundation
import SluiceCore

/// What to do after a failed attempt.
package enum RetryDecision: Sendable, Equatable {
    /// Try again after this wait.
    case retry(after: Duration)
    /// Stop; `reason` is written for the operator ("gave up after 6 attempts").
    case giveUp(reason: String)
}

/// Decides whether and when to retry, from the attempt's outcome alone: no I/O, no clock, no randomness of
/// its own, so the whole schedule is tested as a table.
///
/// Transient outcomes (a transport error marked transient, 408, 429, 500, 502, 503, 504) are retried with
/// exponential backoff and full jitter: the wait after attempt *n* is uniform in
/// `0...min(cap, base·2^(n-1))`. A `Retry-After` header, when present and parseable, replaces the backoff.
package struct RetryPolicy: Sendable, Equatable {
    /// Attempts per request including the first.
    package var maxAttempts: Int
    /// The backoff window after the first failed attempt, in seconds.
    package var baseSeconds: Double
    /// The largest backoff window, in seconds.
    package var capSeconds: Double
    /// The longest `Retry-After` honoured, in seconds. Power BI asks for ~3400 s, so the default is an hour;
    /// a server asking for more ends the attempt now and the next scheduled run tries again.
    package var maxRetryAfterSeconds: Double

    package init(maxAttempts: Int = 6, baseSeconds: Double = 0.5, capSeconds: Double = 60,
                maxRetryAfterSeconds: Double = 3600) {
        self.maxAttempts = maxAttempts
        self.baseSeconds = baseSeconds
        self.capSeconds = capSeconds
        self.maxRetryAfterSeconds = maxRetryAfterSeconds
    }

    /// Statuses that say "try again later".
    package static let transientStatuses: Set<Int> = [408, 429, 500, 502, 503, 504]

    /// Whether an answer with `status` may succeed when asked again.
    package static func isTransient(status: Int) -> Bool { transientStatuses.contains(status) }

    /// The decision after attempt number `attempt` (1-based) ended with `status` (nil: no HTTP answer, in
    /// which case `isTransientError` says whether the transport failure can heal).
    /// `random` draws uniformly from the range it is given; tests pass a fixed function.
    package func decide(status: Int?, isTransientError: Bool = false, attempt: Int, retryAfter: String?,
                       now: Date, random: (ClosedRange<Double>) -> Double) -> RetryDecision {
        let what = status.map { "HTTP \($0)" } ?? "connection error"
        if let status {
            guard Self.isTransient(status: status) else { return .giveUp(reason: "\(what) is not retryable") }
        } else if !isTransientError {
            return .giveUp(reason: "\(what) is not retryable")
        }
        guard attempt < maxAttempts else {
            return .giveUp(reason: "gave up after \(attempt) attempt\(attempt == 1 ? "" : "s") (last: \(what))")
        }
        if let header = retryAfter, let wait = RetryAfter.parse(header, now: now) {
            guard wait <= maxRetryAfterSeconds else {
                return .giveUp(reason: "\(what) asked to retry after \(Self.wholeSeconds(wait)), more than the "
                    + "\(Self.wholeSeconds(maxRetryAfterSeconds)) this client waits")
            }
            return .retry(after: .seconds(clamping: wait))
        }
        return .retry(after: .seconds(clamping: random(0...backoffWindow(afterAttempt: attempt))))
    }

    /// `3392 s`, for any value a server may send (no conversion that can trap).
    static func wholeSeconds(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds < 1e15 else { return "more than 10^15 s" }
        return "\(Int64(seconds.rounded(.down))) s"
    }

    /// The upper bound of the jittered wait after attempt `attempt` (1-based).
    package func backoffWindow(afterAttempt attempt: Int) -> Double {
        let exponent = Double(max(0, min(attempt - 1, 62)))
        return min(capSeconds, baseSeconds * pow(2, exponent))
    }
}
