import Testing
import SluiceCore

@Suite("Duration text and rate limits")
struct DurationTextTests {
    @Test(arguments: [
        ("90s", 90.0), ("15m", 900), ("1h", 3600), ("1h30m", 5400), ("7d", 604_800), ("250ms", 0.25),
        ("2w", 1_209_600), ("1.5h", 5400), ("90", 90), ("0", 0), ("15M", 900), (" 1h 30m ", 5400),
        ("10 minutes", 600), ("1day", 86_400),
    ])
    func durationsAreReadInSeconds(text: String, seconds: Double) {
        #expect(DurationText.seconds(text) == seconds)
    }

    @Test(arguments: ["", "   ", "abc", "15x", "m", "-5m", "-5", "1h30", "1..5s", "1h-30m", "5 mo", "1h,30m"])
    func textThatIsNotADurationIsRejected(text: String) {
        #expect(DurationText.seconds(text) == nil)
    }

    @Test(arguments: [
        (90.0, "90s"), (900, "15m"), (3600, "1h"), (5400, "90m"), (86_400, "1d"), (0, "0s"), (0.25, "0.25s"),
    ])
    func formatPicksTheLargestWholeUnit(seconds: Double, text: String) {
        #expect(DurationText.format(seconds) == text)
    }

    @Test(arguments: [("600/15m", 600, 900.0), ("200/1h", 200, 3600), ("10/s", 10, 1), ("5/ 2m", 5, 120)])
    func rateLimitsReadRequestsPerDuration(text: String, requests: Int, seconds: Double) {
        #expect(RateLimit(parsing: text) == RateLimit(requests: requests, perSeconds: seconds))
    }

    @Test(arguments: ["600", "0/15m", "-1/15m", "10/0s", "10/", "/1m", "ten/1m", "10/x", "10/1m/2", "1.5/1m"])
    func malformedRateLimitsAreRejected(text: String) {
        #expect(RateLimit(parsing: text) == nil)
    }

    @Test func aRateLimitDescribesItselfAsWritten() {
        #expect(RateLimit(requests: 600, perSeconds: 900).description == "600/15m")
        #expect(RateLimit(parsing: "10/s")?.description == "10/1s")
    }
}
