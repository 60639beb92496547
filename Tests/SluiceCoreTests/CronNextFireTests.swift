import Foundation
import Testing
@testable import SluiceCore

/// Fire times are written as UTC text (`2026-03-29 01:00:00`) so a failure shows the instant plainly.
@Suite("Cron next fire")
struct CronNextFireTests {
    private let utc = TimeZone(identifier: "UTC")!
    private let berlin = TimeZone(identifier: "Europe/Berlin")!

    private func instant(_ utcText: String) -> Date {
        Date(timeIntervalSince1970: Timestamps.epochSeconds(utcText)!)
    }

    private func utcText(_ date: Date?) -> String? {
        date.map { Timestamps.format(epochSeconds: $0.timeIntervalSince1970) }
    }

    /// The next `count` fire times after `start`, each searched from the previous one.
    private func fires(_ expression: String, after start: String, in zone: TimeZone? = nil, count: Int) throws -> [String] {
        let cron = try CronExpression(parsing: expression)
        var result: [String] = []
        var after = instant(start)
        for _ in 0..<count {
            guard let next = cron.nextFire(after: after, in: zone ?? utc) else { break }
            result.append(utcText(next)!)
            after = next
        }
        return result
    }

    @Test func everyFifteenMinutesFiresOnTheQuarterHours() throws {
        #expect(try fires("*/15 * * * *", after: "2026-01-01 10:07:30", count: 4)
            == ["2026-01-01 10:15:00", "2026-01-01 10:30:00", "2026-01-01 10:45:00", "2026-01-01 11:00:00"])
    }

    @Test func theNextFireIsStrictlyAfterTheGivenInstant() throws {
        let cron = try CronExpression(parsing: "*/15 * * * *")
        #expect(utcText(cron.nextFire(after: instant("2026-01-01 10:15:00"), in: utc)) == "2026-01-01 10:30:00")
        #expect(utcText(cron.nextFire(after: instant("2026-01-01 10:14:59.999"), in: utc)) == "2026-01-01 10:15:00")
        #expect(utcText(cron.nextFire(after: instant("2026-01-01 10:15:00.001"), in: utc)) == "2026-01-01 10:30:00")
    }

    @Test func minuteFifteenOfEveryEvenHourRollsOverMidnight() throws {
        #expect(try fires("15 */2 * * *", after: "2026-01-01 21:00:00", count: 3)
            == ["2026-01-01 22:15:00", "2026-01-02 00:15:00", "2026-01-02 02:15:00"])
    }

    @Test func restrictedDayOfMonthAndDayOfWeekMatchEitherOne() throws {
        // June 2026: the 1st is a Monday; Fridays are the 5th, 12th, 19th and 26th.
        #expect(try fires("30 4 1,15 * 5", after: "2026-05-31 12:00:00", count: 8) == [
            "2026-06-01 04:30:00", "2026-06-05 04:30:00", "2026-06-12 04:30:00", "2026-06-15 04:30:00",
            "2026-06-19 04:30:00", "2026-06-26 04:30:00", "2026-07-01 04:30:00", "2026-07-03 04:30:00",
        ])
    }

    @Test func aDayOfWeekStartingWithStarCountsAsUnrestrictedSoBothMustMatch() throws {
        // The 13th falls on Tue in Jan 2026, Fri in Feb and Mar, Mon in Apr, Wed in May, Sat in Jun.
        #expect(try fires("0 0 13 * */2", after: "2026-01-01 12:00:00", count: 2)
            == ["2026-01-13 00:00:00", "2026-06-13 00:00:00"])
        // Written as a list, the same weekdays are restricted, and any of them (or the 13th) fires.
        #expect(try fires("0 0 13 * 0,2,4,6", after: "2026-01-01 12:00:00", count: 2)
            == ["2026-01-03 00:00:00", "2026-01-04 00:00:00"])
    }

    @Test func aStarDayOfMonthLeavesOnlyTheWeekdays() throws {
        #expect(try fires("0 6 * * 1", after: "2026-01-01 00:00:00", count: 2)
            == ["2026-01-05 06:00:00", "2026-01-12 06:00:00"])
        #expect(try fires("0 6 1 * *", after: "2026-01-01 12:00:00", count: 2)
            == ["2026-02-01 06:00:00", "2026-03-01 06:00:00"])
    }

    @Test func theThirtyFirstSkipsShorterMonths() throws {
        #expect(try fires("0 0 31 * *", after: "2026-01-31 12:00:00", count: 6) == [
            "2026-03-31 00:00:00", "2026-05-31 00:00:00", "2026-07-31 00:00:00", "2026-08-31 00:00:00",
            "2026-10-31 00:00:00", "2026-12-31 00:00:00",
        ])
    }

    @Test func leapDayWaitsForTheNextLeapYear() throws {
        #expect(try fires("0 0 29 2 *", after: "2026-03-01 00:00:00", count: 2)
            == ["2028-02-29 00:00:00", "2032-02-29 00:00:00"])
        // 2100 is not a leap year: eight years pass between 29 Februaries.
        #expect(try fires("0 0 29 2 *", after: "2096-03-01 00:00:00", count: 1) == ["2104-02-29 00:00:00"])
    }

    @Test func monthAndWeekdayNamesSelectWeekdaysOfTheFirstQuarter() throws {
        // 2026-03-27 is a Friday; 2027-01-01 is a Friday.
        #expect(try fires("0 9 * JAN-MAR MON-FRI", after: "2026-03-27 10:00:00", count: 3)
            == ["2026-03-30 09:00:00", "2026-03-31 09:00:00", "2027-01-01 09:00:00"])
    }

    @Test func sundayIsZeroOrSeven() throws {
        // 2026-01-01 is a Thursday.
        let zero = try fires("0 12 * * 0", after: "2026-01-01 00:00:00", count: 2)
        #expect(zero == ["2026-01-04 12:00:00", "2026-01-11 12:00:00"])
        #expect(try fires("0 12 * * 7", after: "2026-01-01 00:00:00", count: 2) == zero)
        #expect(try fires("0 12 * * 5-7", after: "2026-01-01 00:00:00", count: 3)
            == ["2026-01-02 12:00:00", "2026-01-03 12:00:00", "2026-01-04 12:00:00"])
    }

    @Test func wallClockTimesFollowTheZonesOffset() throws {
        #expect(try fires("0 9 * * *", after: "2026-01-15 00:00:00", in: berlin, count: 1) == ["2026-01-15 08:00:00"])
        #expect(try fires("0 9 * * *", after: "2026-07-15 00:00:00", in: berlin, count: 1) == ["2026-07-15 07:00:00"])
        let newYork = TimeZone(identifier: "America/New_York")!
        #expect(try fires("0 9 * * *", after: "2026-01-15 00:00:00", in: newYork, count: 1) == ["2026-01-15 14:00:00"])
        // A day boundary in the zone, not in UTC: 23:30 in New York is already tomorrow in UTC.
        #expect(try fires("30 23 * * 1", after: "2026-01-01 00:00:00", in: newYork, count: 1)
            == ["2026-01-06 04:30:00"])
    }

    @Test func aWallTimeInTheSpringForwardGapFiresOnceWhenTheGapEnds() throws {
        // Berlin, 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00Z), so 02:30 does not exist.
        #expect(try fires("30 2 * * *", after: "2026-03-28 12:00:00", in: berlin, count: 2)
            == ["2026-03-29 01:00:00", "2026-03-30 00:30:00"])
        // Four quarter hours fall in the gap; they fire once, at 03:00 CEST, then the clock goes on.
        #expect(try fires("*/15 * * * *", after: "2026-03-29 00:40:00", in: berlin, count: 3)
            == ["2026-03-29 00:45:00", "2026-03-29 01:00:00", "2026-03-29 01:15:00"])
    }

    @Test func aHalfHourGapEndsAtTheHalfHour() throws {
        // Lord Howe Island moves from +10:30 to +11:00 at 02:00 local on 2026-10-04 (15:30Z the day before).
        let lordHowe = TimeZone(identifier: "Australia/Lord_Howe")!
        #expect(try fires("15 2 * * *", after: "2026-10-03 12:00:00", in: lordHowe, count: 1) == ["2026-10-03 15:30:00"])
    }

    @Test func aWallTimeThatOccursTwiceFiresOnlyAtItsFirstOccurrence() throws {
        // Berlin, 2026-10-25: 03:00 CEST falls back to 02:00 CET (01:00Z), so 02:30 happens at 00:30Z and 01:30Z.
        #expect(try fires("30 2 * * *", after: "2026-10-24 12:00:00", in: berlin, count: 2)
            == ["2026-10-25 00:30:00", "2026-10-26 01:30:00"])
        // Asked during the second 02:30, the answer is tomorrow's, not a second run today.
        #expect(try fires("30 2 * * *", after: "2026-10-25 01:00:00", in: berlin, count: 1) == ["2026-10-26 01:30:00"])
        // A frequent job pauses for the repeated hour instead of running its quarter hours twice.
        #expect(try fires("*/30 * * * *", after: "2026-10-24 23:50:00", in: berlin, count: 4)
            == ["2026-10-25 00:00:00", "2026-10-25 00:30:00", "2026-10-25 02:00:00", "2026-10-25 02:30:00"])
    }

    @Test func anImpossibleDateNeverFires() throws {
        let after = instant("2026-01-01 00:00:00")
        #expect(try CronExpression(parsing: "0 0 30 2 *").nextFire(after: after, in: utc) == nil)
        #expect(try CronExpression(parsing: "0 0 31 4,6,9,11 *").nextFire(after: after, in: berlin) == nil)
    }

    @Test func datesBeforeNineteenSeventyWork() throws {
        #expect(try fires("0 0 1 1 *", after: "1969-06-01 00:00:00", count: 1) == ["1970-01-01 00:00:00"])
    }

    @Test func macrosFireAsTheirExpansions() throws {
        #expect(try fires("@weekly", after: "2026-01-01 00:00:00", count: 1) == ["2026-01-04 00:00:00"])
        #expect(try fires("@monthly", after: "2026-01-01 00:00:00", count: 1) == ["2026-02-01 00:00:00"])
        #expect(try fires("@yearly", after: "2026-01-01 00:00:00", count: 1) == ["2027-01-01 00:00:00"])
        #expect(try fires("@hourly", after: "2026-01-01 00:00:00", count: 1) == ["2026-01-01 01:00:00"])
    }
}
