import SluiceCore
import SluiceHTTP
import Synchronization
import Testing

@Suite struct TokenBucketTests {
    let sixHundredPerQuarterHour = RateLimit(requests: 600, perSeconds: 900)

    @Test func aFullBucketLetsCapacityRequestsThroughAtOnce() {
        var bucket = TokenBucket(limit: sixHundredPerQuarterHour, at: .zero)
        for _ in 0..<600 { #expect(bucket.take(at: .seconds(0)) == .seconds(0)) }
        // 600 per 900 s is one token every 1.5 s.
        #expect(bucket.take(at: .seconds(0)) == .seconds(1.5))
    }

    @Test func waitingCallersQueueOneRefillApart() {
        var bucket = TokenBucket(limit: RateLimit(requests: 2, perSeconds: 10), at: .zero)
        #expect(bucket.take(at: .seconds(0)) == .seconds(0))
        #expect(bucket.take(at: .seconds(0)) == .seconds(0))
        #expect(bucket.take(at: .seconds(0)) == .seconds(5))
        #expect(bucket.take(at: .seconds(0)) == .seconds(10))
        // One second later 0.2 tokens came back: the next caller queues 14 s out, behind the other two.
        #expect(abs(bucket.take(at: .seconds(1)).seconds - 14) < 1e-9)
    }

    @Test func tokensComeBackEvenlyOverTime() {
        var bucket = TokenBucket(limit: RateLimit(requests: 4, perSeconds: 8), at: .zero)
        for _ in 0..<4 { _ = bucket.take(at: .seconds(0)) }
        #expect(bucket.take(at: .seconds(2)) == .seconds(0))       // one token back after 2 s
        #expect(bucket.take(at: .seconds(2)) == .seconds(2))
    }

    @Test func aLongIdleNeverStoresMoreThanCapacity() {
        var bucket = TokenBucket(limit: RateLimit(requests: 3, perSeconds: 3), at: .zero)
        _ = bucket.take(at: .seconds(0))
        _ = bucket.take(at: .seconds(10_000))
        #expect(bucket.tokens == 2)
    }

    @Test func anAbandonedWaitGivesItsTokenBack() {
        var bucket = TokenBucket(limit: RateLimit(requests: 1, perSeconds: 10), at: .zero)
        _ = bucket.take(at: .seconds(0))
        #expect(bucket.take(at: .seconds(0)) == .seconds(10))
        bucket.giveBack(at: .seconds(0))
        #expect(bucket.take(at: .seconds(0)) == .seconds(10))
    }

    @Test func theLimiterSleepsForTheBucketsWait() async throws {
        let clock = StoppedClock()
        let limiter = RateLimiter(limit: RateLimit(requests: 2, perSeconds: 10), clock: clock)
        for _ in 0..<4 { try await limiter.acquire() }
        #expect(clock.waits == [5, 10])
    }

    @Test func theRegistrySharesOneLimiterPerKey() {
        let registry = RateLimiterRegistry()
        let limit = RateLimit(requests: 200, perSeconds: 3600)
        let a = registry.limiter(for: "pbi-client", limit: limit)
        let b = registry.limiter(for: "pbi-client", limit: limit)
        let other = registry.limiter(for: "citrix-client", limit: limit)
        let edited = registry.limiter(for: "pbi-client", limit: RateLimit(requests: 100, perSeconds: 3600))
        #expect(a === b)
        #expect(a !== other)
        #expect(a !== edited)
    }
}

/// A clock whose time stands still: waits are recorded and return at once, so a limiter's queue can be read off.
final class StoppedClock: Clock, Sendable {
    private let recorded = Mutex<[Duration]>([])
    var now: UTCClock.Instant { UTCClock.Instant(epochSeconds: 0) }
    var minimumResolution: Duration { .nanoseconds(1) }

    func sleep(until deadline: UTCClock.Instant, tolerance: Duration?) async throws {
        recorded.withLock { $0.append(now.duration(to: deadline)) }
    }

    var waits: [Double] { recorded.withLock { $0.map(\.seconds) } }
}
