import Foundation
import SluiceHTTP
import SluiceWire
import Testing

@Suite struct RetryAfterTests {
    /// 2023-11-14 22:13:20 UTC.
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func deltaSecondsAreReadAsSeconds() {
        #expect(RetryAfter.parse("120", now: now) == 120)
        #expect(RetryAfter.parse(" 3392 ", now: now) == 3392)
        #expect(RetryAfter.parse("0", now: now) == 0)
    }

    @Test func anIMFFixdateIsSecondsFromNow() {
        #expect(RetryAfter.parse("Tue, 14 Nov 2023 22:13:50 GMT", now: now) == 30)
    }

    @Test func obsoleteRFC850AndAsctimeDatesAreAccepted() {
        #expect(RetryAfter.parse("Tuesday, 14-Nov-23 22:14:20 GMT", now: now) == 60)
        #expect(RetryAfter.parse("Tue Nov 14 22:15:20 2023", now: now) == 120)
        #expect(RetryAfter.parse("Sun Nov  6 08:49:37 1994", now: Date(timeIntervalSince1970: 784_111_777)) == 0)
    }

    @Test func aDateInThePastMeansRetryNow() {
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: now) == 0)
    }

    @Test func theRFCExampleDateIsTheRightInstant() {
        #expect(RetryAfter.httpDate("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
    }

    @Test(arguments: ["", "soon", "-5", "1.5", "Tue, 31 Nov 2023 22:13:50 GMT", "Tue, 14 Nov 2023 25:13:50 GMT",
                      "Tue, 14 Foo 2023 22:13:50 GMT", "Tue, 14 Nov 2023 22:13:50 PST"])
    func unreadableValuesAreIgnored(_ value: String) {
        #expect(RetryAfter.parse(value, now: now) == nil)
    }
}
