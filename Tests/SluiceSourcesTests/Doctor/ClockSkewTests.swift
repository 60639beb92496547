import Testing
import SluiceCore
@testable import SluiceSources

/// The clock check as plain values: `Date` headers and when they arrived.
@Suite struct ClockSkewTests {
    /// 2026-11-22 10:00:00 UTC.
    static let noon: Double = 1_795_341_600

    static func seen(_ host: String, _ date: String, at: Double) -> ServerDate {
        ServerDate(host: host, date: date, receivedAt: at)
    }

    @Test func aSecondOrTwoIsNothing() {
        let check = ClockSkew.check([Self.seen("api.example.com", "Sun, 22 Nov 2026 10:00:00 GMT", at: Self.noon + 1.4)])
        #expect(check.outcome == .pass && check.detail == "within a second of api.example.com (Date headers)")
    }

    @Test func moreThanFiveMinutesIsAFailureThatSaysByHowMuchAndWhichWay() {
        let behind = ClockSkew.check([Self.seen("api.example.com", "Sun, 22 Nov 2026 10:07:00 GMT", at: Self.noon)])
        #expect(behind.outcome == .fail)
        #expect(behind.detail.hasPrefix("this machine's clock is 7 min behind api.example.com"))
        #expect(behind.fix?.contains("NTP") == true)
        let ahead = ClockSkew.check([Self.seen("h", "Sun, 22 Nov 2026 09:54:00 GMT", at: Self.noon)])
        #expect(ahead.outcome == .fail && ahead.detail.contains("6 min ahead of h"))
    }

    @Test func exactlyFiveMinutesIsStillAPass() {
        let check = ClockSkew.check([Self.seen("h", "Sun, 22 Nov 2026 09:55:00 GMT", at: Self.noon)])
        #expect(check.outcome == .pass && check.detail == "within 5 min of h (Date headers)")
    }

    @Test func theWorstHostDecidesAndEachHostCountsItsBestAnswer() {
        let check = ClockSkew.check([
            Self.seen("auth", "Sun, 22 Nov 2026 10:00:00 GMT", at: Self.noon),
            Self.seen("api", "Sun, 22 Nov 2026 09:50:00 GMT", at: Self.noon + 3),  // late answer
            Self.seen("api", "Sun, 22 Nov 2026 09:50:00 GMT", at: Self.noon),
        ])
        #expect(check.outcome == .fail && check.detail.contains("10 min ahead of api"))
    }

    @Test func withoutADateHeaderTheClockIsNotChecked() {
        #expect(ClockSkew.check([]).outcome == .warn)
        #expect(ClockSkew.check([Self.seen("h", "yesterday", at: Self.noon)]).outcome == .warn)
    }
}
