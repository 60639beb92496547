package import SluiceCore

/// A token bucket as a value: `capacity` tokens, refilled evenly over `limit.perSeconds`.
///
/// ``take(at:)`` reserves a token and answers how long the caller must wait before using it, so callers queue
/// in order even when they all ask at once: the tenth caller on an empty bucket waits for ten refills. Times
/// are offsets on the caller's clock (`Duration`s since any fixed point), so the bucket is tested with plain
/// values.
package struct TokenBucket: Sendable, Equatable {
    package let capacity: Double
    /// The time one token takes to come back.
    package let refillInterval: Duration
    /// Tokens available now; negative while reservations wait for refills.
    package private(set) var tokens: Double
    /// When `tokens` was last brought up to date.
    package private(set) var updatedAt: Duration

    /// A full bucket for `limit` (`600/15m`: 600 tokens, one back every 1.5 s), at time `at`.
    package init(limit: RateLimit, at: Duration) {
        capacity = Double(max(1, limit.requests))
        refillInterval = .seconds(clamping: max(limit.perSeconds, 0.001) / capacity)
        tokens = capacity
        updatedAt = at
    }

    /// Takes one token at time `at`; returns the wait before the request may go (zero when one was there).
    package mutating func take(at: Duration) -> Duration {
        refill(at: at)
        tokens -= 1
        return tokens >= 0 ? .zero : refillInterval * (-tokens)
    }

    /// Gives back a token whose wait was abandoned (the waiting task was cancelled).
    package mutating func giveBack(at: Duration) {
        refill(at: at)
        tokens = min(capacity, tokens + 1)
    }

    private mutating func refill(at: Duration) {
        let elapsed = max(.zero, at - updatedAt)
        tokens = min(capacity, tokens + elapsed / refillInterval)
        updatedAt = max(updatedAt, at)
    }
}
