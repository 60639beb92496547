import Testing
@testable import SluiceCore

@Suite("Cron expression parsing")
struct CronParsingTests {
    private func cron(_ text: String) throws -> CronExpression { try CronExpression(parsing: text) }

    private func error(_ text: String) -> String? {
        do {
            _ = try CronExpression(parsing: text)
            return nil
        } catch let error as CronError {
            return error.message
        } catch {
            return "unexpected \(type(of: error))"
        }
    }

    @Test func starAllowsEveryValueOfTheField() throws {
        let c = try cron("* * * * *")
        #expect(c.minutes.values == Array(0...59))
        #expect(c.hours.values == Array(0...23))
        #expect(c.daysOfMonth.values == Array(1...31))
        #expect(c.months.values == Array(1...12))
        #expect(c.daysOfWeek.values == Array(0...6))
    }

    @Test func listsRangesAndStepsCombine() throws {
        #expect(try cron("1,2,5 * * * *").minutes.values == [1, 2, 5])
        #expect(try cron("10-12 * * * *").minutes.values == [10, 11, 12])
        #expect(try cron("*/15 * * * *").minutes.values == [0, 15, 30, 45])
        #expect(try cron("10-30/10 * * * *").minutes.values == [10, 20, 30])
        #expect(try cron("50/5 * * * *").minutes.values == [50, 55])
        #expect(try cron("0 */5 * * *").hours.values == [0, 5, 10, 15, 20])
        #expect(try cron("0 0 */10 * *").daysOfMonth.values == [1, 11, 21, 31])
        #expect(try cron("0 1-3,20-22/2,5 * * *").hours.values == [1, 2, 3, 5, 20, 22])
        #expect(try cron("05 07 * * *").minutes.values == [5])
    }

    @Test func monthAndWeekdayNamesAreCaseInsensitive() throws {
        #expect(try cron("0 0 * jan,Mar,DEC *").months.values == [1, 3, 12])
        #expect(try cron("0 0 * JAN-MAR *").months.values == [1, 2, 3])
        #expect(try cron("0 0 * JAN-DEC/3 *").months.values == [1, 4, 7, 10])
        #expect(try cron("0 0 * * mon-fri").daysOfWeek.values == [1, 2, 3, 4, 5])
        #expect(try cron("0 0 * * SUN,Sat").daysOfWeek.values == [0, 6])
    }

    @Test func zeroAndSevenAreBothSunday() throws {
        #expect(try cron("0 0 * * 7").daysOfWeek.values == [0])
        #expect(try cron("0 0 * * 0,7").daysOfWeek.values == [0])
        #expect(try cron("0 0 * * 5-7").daysOfWeek.values == [0, 5, 6])
        #expect(try cron("0 0 * * 0-7").daysOfWeek.values == Array(0...6))
        #expect(try cron("0 0 * * */2").daysOfWeek.values == [0, 2, 4, 6])
    }

    @Test func aDayFieldIsRestrictedUnlessItStartsWithStar() throws {
        let both = try cron("30 4 1,15 * 5")
        #expect(both.dayOfMonthRestricted && both.dayOfWeekRestricted)
        let starStep = try cron("0 0 13 * */2")
        #expect(starStep.dayOfMonthRestricted && !starStep.dayOfWeekRestricted)
        let fullRange = try cron("0 0 1-31 * *")
        #expect(fullRange.dayOfMonthRestricted && !fullRange.dayOfWeekRestricted)
    }

    @Test(arguments: [
        ("@hourly", "0 * * * *"), ("@daily", "0 0 * * *"), ("@midnight", "0 0 * * *"),
        ("@weekly", "0 0 * * 0"), ("@monthly", "0 0 1 * *"), ("@yearly", "0 0 1 1 *"),
        ("@annually", "0 0 1 1 *"), ("@DAILY", "0 0 * * *"),
    ])
    func macrosStandForTheirExpressions(macro: String, expansion: String) throws {
        let a = try cron(macro)
        let b = try cron(expansion)
        #expect(a.minutes == b.minutes && a.hours == b.hours && a.daysOfMonth == b.daysOfMonth)
        #expect(a.months == b.months && a.daysOfWeek == b.daysOfWeek)
        #expect(a.dayOfMonthRestricted == b.dayOfMonthRestricted && a.dayOfWeekRestricted == b.dayOfWeekRestricted)
        #expect(a.source == macro)
    }

    @Test func sourceKeepsTheExpressionWithSingleSpaces() throws {
        #expect(try cron("  15\t*/2  * *   * ").source == "15 */2 * * *")
    }

    @Test(arguments: [
        ("61 * * * *", "minute: 61 is out of range 0-59"),
        ("0 24 * * *", "hour: 24 is out of range 0-23"),
        ("0 0 32 * *", "day-of-month: 32 is out of range 1-31"),
        ("0 0 0 * *", "day-of-month: 0 is out of range 1-31"),
        ("0 0 * 13 *", "month: 13 is out of range 1-12"),
        ("0 0 * * 8", "day-of-week: 8 is out of range 0-7"),
        ("0 0 * 1-13 *", "month: 13 is out of range 1-12"),
        ("99999999999999999999 * * * *", "minute: 99999999999999999999 is out of range 0-59"),
        ("x * * * *", "minute: 'x' is not a number"),
        ("0 0 JAN * *", "day-of-month: 'JAN' is not a number"),
        ("0 0 * FOO *", "month: 'FOO' is not a number or month name (JAN-DEC)"),
        ("0 0 * * FUNDAY", "day-of-week: 'FUNDAY' is not a number or weekday name (SUN-SAT)"),
        ("*/0 * * * *", "minute: step 0 is out of range 1-60"),
        ("0 */25 * * *", "hour: step 25 is out of range 1-24"),
        ("0 0 * * 1/x", "day-of-week: step 'x' in '1/x' is not a number"),
        ("5-1 * * * *", "minute: range 5-1 starts after it ends"),
        ("0 0 * * SAT-SUN", "day-of-week: range SAT-SUN starts after it ends"),
        ("1,,2 * * * *", "minute: empty item in '1,,2'"),
        ("1-2-3 * * * *", "minute: '1-2-3' is not a value, range or step"),
        ("-5 * * * *", "minute: '-5' is not a value, range or step"),
        ("*/5/2 * * * *", "minute: '*/5/2' is not a value, range or step"),
        ("* * * *", "expected 5 fields (minute hour day-of-month month day-of-week), found 4 in '* * * *'"),
        ("* * * * * *", "expected 5 fields (minute hour day-of-month month day-of-week), found 6 in '* * * * * *'"),
        ("", "expected 5 fields (minute hour day-of-month month day-of-week), found 0 in ''"),
        ("@reboot", "'@reboot' is not a supported macro (use @hourly, @daily, @midnight, @weekly, @monthly, "
            + "@yearly or @annually)"),
    ])
    func invalidExpressionsNameTheFieldAndTheValue(text: String, message: String) {
        #expect(error(text) == message)
    }
}
