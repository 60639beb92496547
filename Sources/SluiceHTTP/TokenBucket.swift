import SluiceCore

/// A token bucket as a value: `capacity` tokens, refilled evenly at `capacity / perSeconds` per second.
///
/// ``take(now:)`` reserves a token and answers how long the caller must wait before using it, so callers
/// queue in order even when they all ask at once: the tenth caller on an empty bucket waits for ten refills.
public struct TokenBucket: Sendable, Equatable {
    public let capacity: Double
    /// Tokens added per second.
    public let refillPerSecond: Double
    /// Tokens available now; negative while reservations wait for refills.
    public private(set) var tokens: Double
    /// When `tokens` was last brought up to date, in seconds on the caller's clock.
    public private(set) var updatedAt: Double

    /// A full bucket for `limit` (`600/15m`: 600 tokens, one back every 1.5 s).
    public init(limit: RateLimit, now: Double) {
        capacity = Double(max(1, limit.requests))
        refillPerSecond = capacity / max(limit.perSeconds, 0.001)
        tokens = capacity
        updatedAt = now
    }

    /// Takes one token; returns the seconds to wait before the request may go (0 when one was there).
    public mutating func take(now: Double) -> Double {
        refill(now: now)
        tokens -= 1
        return tokens >= 0 ? 0 : -tokens / refillPerSecond
    }

    /// Gives back a token whose wait was abandoned (the waiting task was cancelled).
    public mutating func giveBack(now: Double) {
        refill(now: now)
        tokens = min(capacity, tokens + 1)
    }

    private mutating func refill(now: Double) {
        let elapsed = max(0, now - updatedAt)
        tokens = min(capacity, tokens + elapsed * refillPerSecond)
        updatedAt = max(updatedAt, now)
    }
}
