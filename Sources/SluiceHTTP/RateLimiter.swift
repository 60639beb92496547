package import SluiceCore
package import Synchronization

/// A client-side rate limit shared by every request made with one credential (a job's `http.rate_limit`, or a
/// source's documented limit such as Power BI's 200 requests an hour).
///
/// The decision lives in ``TokenBucket``; this actor only keeps the bucket and waits on its clock. Waits are
/// cancellable: a cancelled waiter gives its reserved token back.
package actor RateLimiter {
    private var bucket: TokenBucket
    private let clock: any Clock<Duration>
    /// Time since the limiter was made, on `clock`.
    private let elapsed: @Sendable () -> Duration

    /// A limiter for `limit` that measures refills and waits on `clock` (a monotonic clock; tests inject one).
    package init<C: Clock>(limit: RateLimit, clock: C = ContinuousClock()) where C.Duration == Duration {
        let origin = clock.now
        self.clock = clock
        self.elapsed = { origin.duration(to: clock.now) }
        bucket = TokenBucket(limit: limit, at: .zero)
    }

    /// Waits until a request may be sent. Throws `CancellationError` when the task is cancelled first.
    package func acquire() async throws {
        try Task.checkCancellation()
        let wait = bucket.take(at: elapsed())
        guard wait > .zero else { return }
        do {
            try await clock.sleep(for: wait)
        } catch {
            bucket.giveBack(at: elapsed())
            throw error
        }
    }
}

/// Hands out one ``RateLimiter`` per key (for example per credential), so jobs that share an API client
/// share its limit. A lock rather than an actor: the lookup never suspends, so callers need no `await`.
package final class RateLimiterRegistry: Sendable {
    private let limiters = Mutex<[String: (limit: RateLimit, limiter: RateLimiter)]>([:])
    private let makeLimiter: @Sendable (RateLimit) -> RateLimiter

    /// A registry whose limiters wait on `clock`.
    package init<C: Clock>(clock: C = ContinuousClock()) where C.Duration == Duration {
        makeLimiter = { RateLimiter(limit: $0, clock: clock) }
    }

    /// The limiter for `key`; created on first use. A different `limit` for the same key replaces the
    /// limiter, so an edited job file takes effect.
    package func limiter(for key: String, limit: RateLimit) -> RateLimiter {
        limiters.withLock { table in
            if let existing = table[key], existing.limit == limit { return existing.limiter }
            let limiter = makeLimiter(limit)
            table[key] = (limit, limiter)
            return limiter
        }
    }
}
