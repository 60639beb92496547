import Testing
import SluiceCore

@Suite("Timestamps")
struct TimestampsTests {
    @Test(arguments: [
        ("2019-05-04-17:40:30 UTC", "2019-05-04 17:40:30"),  // Workspace ONE Intelligence
        ("2024-08-06T07:08:50.72Z", "2024-08-06 07:08:50.720"),  // OData (Citrix Monitor)
        ("2019-08-13T07:55:15", "2019-08-13 07:55:15"),  // Power BI activity, no zone = UTC
        ("2019-08-13T07:55:15.1234567Z", "2019-08-13 07:55:15.123"),
        ("2024-01-01T01:00:00+02:00", "2023-12-31 23:00:00"),
        ("2024-01-01T01:00:00+0200", "2023-12-31 23:00:00"),
        ("2024-01-01T01:00:00+02", "2023-12-31 23:00:00"),
        ("2023-12-31T22:30:00-01:30", "2024-01-01 00:00:00"),
        ("2024-02-29 12:00:00", "2024-02-29 12:00:00"),
        ("2024-02-29t12:00:00z", "2024-02-29 12:00:00"),
        ("2024-02-29 12:00:00UTC", "2024-02-29 12:00:00"),
        ("2024-02-29 12:00:00,5Z", "2024-02-29 12:00:00.500"),
        ("2016-12-31T23:59:60Z", "2016-12-31 23:59:59"),  // a leap second folds into :59
        ("1969-12-31T23:59:59Z", "1969-12-31 23:59:59"),
    ])
    func sourceFormatsBecomeOneUTCText(input: String, expected: String) {
        #expect(Timestamps.normalize(input) == expected)
    }

    @Test(arguments: [
        ("2024-08-06T07:08:50.7Z", "2024-08-06 07:08:50.700"),
        ("2024-08-06T07:08:50.72Z", "2024-08-06 07:08:50.720"),
        ("2024-08-06T07:08:50.723Z", "2024-08-06 07:08:50.723"),
        ("2024-08-06T07:08:50.7234Z", "2024-08-06 07:08:50.723"),
        ("2024-08-06T07:08:50.72345Z", "2024-08-06 07:08:50.723"),
        ("2024-08-06T07:08:50.723456Z", "2024-08-06 07:08:50.723"),
        ("2024-08-06T07:08:50.7234567Z", "2024-08-06 07:08:50.723"),
        ("2024-08-06T07:08:50.000Z", "2024-08-06 07:08:50.000"),
    ])
    func fractionsOfOneToSevenDigitsBecomeThree(input: String, expected: String) {
        #expect(Timestamps.normalize(input) == expected)
    }

    @Test(arguments: [
        "2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-00-10T00:00:00Z",
        "2024-04-31 00:00:00", "2024-01-01T24:00:00Z", "2024-01-01T12:60:00Z", "2024-01-01T12:00:61Z",
        "2024-01-01T12:00:00.Z", "2024-01-01T12:00:00 CET", "2024-01-01T12:00:00+2:00", "2024-01-01T12:00:00+02:0",
        "2024-01-01", "2024/01/01 12:00:00", "2024-01-01X12:00:00", "yesterday", "",
    ])
    func textThatIsNotAValidInstantIsRejected(input: String) {
        #expect(Timestamps.normalize(input) == nil)
    }

    @Test func normalisedTextRoundTripsThroughEpochSeconds() {
        // Every millisecond of a second, at a few epochs (including one where Doubles round awkwardly).
        for epochSecond: Int64 in [0, 269_999_757, 1_722_928_130, -86_401] {
            for millis in 0..<1000 {
                // Whole seconds are written without a fraction, as `format(epochSeconds:)` writes them.
                let text = Timestamps.format(epochSecond: epochSecond, millis: millis == 0 ? nil : millis)
                let seconds = Timestamps.epochSeconds(text)
                #expect(seconds.map { Timestamps.format(epochSeconds: $0) } == text, "\(text)")
            }
        }
    }

    @Test func formatWritesMillisecondsOnlyWhenThereAreAny() {
        #expect(Timestamps.format(epochSeconds: 0) == "1970-01-01 00:00:00")
        #expect(Timestamps.format(epochSeconds: 1_722_928_130.72) == "2024-08-06 07:08:50.720")
        #expect(Timestamps.format(epochSeconds: -0.5) == "1969-12-31 23:59:59.500")
        #expect(Timestamps.format(epochSecond: 1_722_928_130) == "2024-08-06 07:08:50")
    }

    @Test func epochSecondsReadsEveryAcceptedFormat() {
        #expect(Timestamps.epochSeconds("1970-01-01 00:00:00") == 0)
        #expect(Timestamps.epochSeconds("1970-01-01T01:00:00+01:00") == 0)
        #expect(Timestamps.epochSeconds("1970-01-01-00:00:01 UTC") == 1)
        #expect(Timestamps.epochSeconds("1970-01-01 00:00:00.250") == 0.25)
        #expect(Timestamps.epochSeconds("not a time") == nil)
    }

    @Test func normalizeDateAcceptsOnlyRealCalendarDates() {
        #expect(Timestamps.normalizeDate("2024-02-29") == "2024-02-29")
        #expect(Timestamps.normalizeDate("2023-02-29") == nil)
        #expect(Timestamps.normalizeDate("2024-13-01") == nil)
        #expect(Timestamps.normalizeDate("2024-02-29T00:00:00Z") == nil)
        #expect(Timestamps.normalizeDate("2024-2-29") == nil)
        #expect(Timestamps.isDate("2000-02-29"))
        #expect(!Timestamps.isDate("1900-02-29"))
    }

    @Test func civilDaysAndDaysInMonthAgree() {
        #expect(Timestamps.daysFromCivil(1970, 1, 1) == 0)
        #expect(Timestamps.daysFromCivil(2000, 3, 1) == 11_017)
        #expect(Timestamps.civil(fromDays: -1) == (1969, 12, 31))
        #expect(Timestamps.daysInMonth(2024, 2) == 29)
        #expect(Timestamps.daysInMonth(2100, 2) == 28)
        #expect(Timestamps.daysInMonth(2000, 2) == 29)
        #expect(Timestamps.daysInMonth(2024, 4) == 30)
        for days: Int64 in stride(from: -800_000, through: 800_000, by: 997) {
            let (y, m, d) = Timestamps.civil(fromDays: days)
            #expect(Timestamps.daysFromCivil(y, m, d) == days)
        }
    }
}
