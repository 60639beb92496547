import SluiceCore
import Synchronization

/// A client-side rate limit shared by every request made with one credential (design.md §3 `rate_limit`).
///
/// The decision lives in ``TokenBucket``; this actor only keeps the bucket and sleeps. Waits are cancellable:
/// a cancelled waiter gives its reserved token back.
public actor RateLimiter {
    private var bucket: TokenBucket
    private let sleeper: any Sleeper
    private let now: @Sendable () -> Double

    /// A limiter for `limit`; `now` is a monotonic clock in seconds (injected in tests).
    public init(limit: RateLimit, sleeper: any Sleeper = TaskSleeper(),
                now: @escaping @Sendable () -> Double = RateLimiter.monotonicSeconds) {
        self.now = now
        self.sleeper = sleeper
        bucket = TokenBucket(limit: limit, now: now())
    }

    /// Waits until a request may be sent. Throws `CancellationError` when the task is cancelled first.
    public func acquire() async throws {
        try Task.checkCancellation()
        let wait = bucket.take(now: now())
        guard wait > 0 else { return }
        do {
            try await sleeper.sleep(seconds: wait)
        } catch {
            bucket.giveBack(now: now())
            throw error
        }
    }

    /// Seconds on a monotonic clock, for measuring refills.
    public static func monotonicSeconds() -> Double {
        let elapsed = ContinuousClock.now - processStart
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    private static let processStart = ContinuousClock.now
}

/// Hands out one ``RateLimiter`` per key (for example per credential), so jobs that share an API client
/// share its limit. A lock rather than an actor: the lookup never suspends, so callers need no `await`.
public final class RateLimiterRegistry: Sendable {
    private let limiters = Mutex<[String: (limit: RateLimit, limiter: RateLimiter)]>([:])
    private let sleeper: any Sleeper

    public init(sleeper: any Sleeper = TaskSleeper()) {
        self.sleeper = sleeper
    }

    /// The limiter for `key`; created on first use. A different `limit` for the same key replaces the
    /// limiter, so an edited job file takes effect.
    public func limiter(for key: String, limit: RateLimit) -> RateLimiter {
        limiters.withLock { table in
            if let existing = table[key], existing.limit == limit { return existing.limiter }
            let limiter = RateLimiter(limit: limit, sleeper: sleeper)
            table[key] = (limit, limiter)
            return limiter
        }
    }
}
