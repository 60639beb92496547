@testable import SluiceCore
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

    /// The byte rewrite for UTC input must give exactly what parsing and formatting give, and decline
    /// everything that needs arithmetic.
    @Test func theUTCRewriteAgreesWithParseAndFormat() {
        var generator = SystemRandomNumberGenerator()
        let zones = ["", "Z", "z", " UTC", "UTC", "+00:00", "-05:30", "+0100", " utc", "ZZ"]
        let separators = ["T", "t", "-", " ", "_"]
        let fractions = ["", ".5", ".12", ".123", ".1234", ".999", "."]
        var rewritten = 0
        for _ in 0..<20_000 {
            let y = Int.random(in: 1890...2199, using: &generator), mo = Int.random(in: 0...13, using: &generator)
            let d = Int.random(in: 0...32, using: &generator), h = Int.random(in: 0...24, using: &generator)
            let mi = Int.random(in: 0...60, using: &generator), s = Int.random(in: 0...61, using: &generator)
            func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
            let text = "\(y)-\(two(mo))-\(two(d))" + separators.randomElement(using: &generator)!
                + "\(two(h)):\(two(mi)):\(two(s))" + fractions.randomElement(using: &generator)! + zones.randomElement(using: &generator)!
            var copy = text
            let fast = copy.withUTF8 { Timestamps.rewriteUTC($0) }
            let full = copy.withUTF8 { Timestamps.parse($0) }.map { Timestamps.format(epochSecond: $0.epochSecond, millis: $0.millis) }
            if let fast {
                rewritten += 1
                #expect(fast == full, "\(text)")
            }
            #expect(Timestamps.normalize(text) == full, "\(text)")
        }
        #expect(rewritten > 1_000)
        #expect(Timestamps.normalize("2019-05-04-17:40:30 UTC") == "2019-05-04 17:40:30")
        #expect(Timestamps.normalize("2024-08-06T07:08:50.720Z") == "2024-08-06 07:08:50.720")
    }
}
