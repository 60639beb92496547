import SluiceCore
import Testing

/// The fast path that skips re-parsing already normalised timestamps must agree with the full parser.
@Suite("timestamp fast path")
struct TimestampsFastPathTests {
    @Test(arguments: [
        "2026-01-01 00:00:00", "2026-01-01 00:00:00.120", "2019-05-04 17:40:30",
        "2026-01-01T00:00:00Z", "2026-01-01 00:00:00.12", "2026-01-01 24:00:00", "2026-02-30 00:00:00",
        "2026-01-01 00:00:00.1234", "2019-05-04-17:40:30 UTC", "2026-01-01 00:00:00Z", "2026-1-01 00:00:00", "",
        "2026-01-01 00:00:60", "0000-01-01 00:00:00", "2024-02-29 23:59:59.999",
    ])
    func isNormalizedAgreesWithNormalize(_ text: String) {
        #expect(Timestamps.isNormalized(text) == (Timestamps.normalize(text) == text), "\(text)")
    }

    @Test func everyMillisecondOfADayRoundTripsThroughTheFastPath() {
        var mismatches = 0
        var second: Int64 = 1_767_225_600
        for step in 0..<5_000 {
            second += 17
            let millis = (step * 37) % 1000
            let text = Timestamps.format(epochSecond: second, millis: millis == 0 ? nil : millis)
            if !Timestamps.isNormalized(text) || Timestamps.normalize(text) != text { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }
}
