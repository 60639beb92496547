import SluiceCore
import SluiceHTTP
import Synchronization
import Testing

@Suite struct TokenBucketTests {
    let sixHundredPerQuarterHour = RateLimit(requests: 600, perSeconds: 900)

    @Test func aFullBucketLetsCapacityRequestsThroughAtOnce() {
        var bucket = TokenBucket(limit: sixHundredPerQuarterHour, now: 0)
        for _ in 0..<600 { #expect(bucket.take(now: 0) == 0) }
        // 600 per 900 s is one token every 1.5 s.
        #expect(bucket.take(now: 0) == 1.5)
    }

    @Test func waitingCallersQueueOneRefillApart() {
        var bucket = TokenBucket(limit: RateLimit(requests: 2, perSeconds: 10), now: 0)
        #expect(bucket.take(now: 0) == 0)
        #expect(bucket.take(now: 0) == 0)
        #expect(bucket.take(now: 0) == 5)
        #expect(bucket.take(now: 0) == 10)
        // One second later 0.2 tokens came back: the next caller queues 14 s out, behind the other two.
        #expect(abs(bucket.take(now: 1) - 14) < 1e-9)
    }

    @Test func tokensComeBackEvenlyOverTime() {
        var bucket = TokenBucket(limit: RateLimit(requests: 4, perSeconds: 8), now: 0)
        for _ in 0..<4 { _ = bucket.take(now: 0) }
        #expect(bucket.take(now: 2) == 0)       // one token back after 2 s
        #expect(bucket.take(now: 2) == 2)
    }

    @Test func aLongIdleNeverStoresMoreThanCapacity() {
        var bucket = TokenBucket(limit: RateLimit(requests: 3, perSeconds: 3), now: 0)
        _ = bucket.take(now: 0)
        _ = bucket.take(now: 10_000)
        #expect(bucket.tokens == 2)
    }

    @Test func anAbandonedWaitGivesItsTokenBack() {
        var bucket = TokenBucket(limit: RateLimit(requests: 1, perSeconds: 10), now: 0)
        _ = bucket.take(now: 0)
        #expect(bucket.take(now: 0) == 10)
        bucket.giveBack(now: 0)
        #expect(bucket.take(now: 0) == 10)
    }

    @Test func theLimiterSleepsForTheBucketsWait() async throws {
        let sleeper = RecordingSleeper()
        let limiter = RateLimiter(limit: RateLimit(requests: 2, perSeconds: 10), sleeper: sleeper, now: { 0 })
        for _ in 0..<4 { try await limiter.acquire() }
        #expect(sleeper.waits == [5, 10])
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
