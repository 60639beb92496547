import Foundation
import Testing
import SluiceCore

@Suite("Schedule parsing and next fire")
struct ScheduleTests {
    private let utc = TimeZone(identifier: "UTC")!

    private func instant(_ utcText: String) -> Date {
        Date(timeIntervalSince1970: Timestamps.epochSeconds(utcText)!)
    }

    private func utcText(_ date: Date?) -> String? {
        date.map { Timestamps.format(epochSeconds: $0.timeIntervalSince1970) }
    }

    private func parseError(_ text: String) -> String? {
        do {
            _ = try Schedule.parse(text)
            return nil
        } catch let error as CronError {
            return error.message
        } catch {
            return "unexpected \(type(of: error))"
        }
    }

    @Test(arguments: [
        ("every 1h", 3600.0), ("EVERY 15m", 900), ("every 1h30m", 5400), ("  every 90s ", 90), ("every 7d", 604_800),
    ])
    func everyTakesADuration(text: String, seconds: Double) throws {
        #expect(try Schedule.parse(text) == .every(seconds: seconds))
    }

    @Test func anythingElseIsACronExpression() throws {
        #expect(try Schedule.parse("15 */2 * * *") == .cron(try CronExpression(parsing: "15 */2 * * *")))
        #expect(try Schedule.parse("@daily").description == "@daily")
    }

    @Test(arguments: ["every 1h", "every 15m", "every 90s", "15 */2 * * *", "@hourly"])
    func theDescriptionParsesBackToTheSameSchedule(text: String) throws {
        let schedule = try Schedule.parse(text)
        #expect(try Schedule.parse(schedule.description) == schedule)
    }

    @Test(arguments: [
        ("every 0m", "'every 0m': the interval must be positive"),
        ("every 0", "'every 0': the interval must be positive"),
        ("every", "'every': the interval is missing (write e.g. 'every 1h')"),
        ("every soon", "'every soon': 'soon' is not a duration (use e.g. 90s, 15m, 1h30m, 7d)"),
        ("every -5m", "'every -5m': '-5m' is not a duration (use e.g. 90s, 15m, 1h30m, 7d)"),
        ("every inf", "'every inf': 'inf' is not a duration (use e.g. 90s, 15m, 1h30m, 7d)"),
        ("0 0 32 * *", "day-of-month: 32 is out of range 1-31"),
        ("hourly", "expected 5 fields (minute hour day-of-month month day-of-week), found 1 in 'hourly'"),
    ])
    func badSchedulesSayWhatIsWrong(text: String, message: String) {
        #expect(parseError(text) == message)
    }

    @Test func anIntervalJobThatNeverFiredIsDueAtOnce() {
        let now = instant("2026-01-01 10:00:00")
        #expect(Schedule.every(seconds: 3600).nextFire(after: now, timeZone: utc, lastFire: nil) == now)
    }

    @Test func anIntervalJobFiresOneIntervalAfterItsLastFire() {
        let schedule = Schedule.every(seconds: 900)
        let next = schedule.nextFire(after: instant("2026-01-01 10:05:00"), timeZone: utc,
                                     lastFire: instant("2026-01-01 10:00:00"))
        #expect(utcText(next) == "2026-01-01 10:15:00")
    }

    @Test func aMissedIntervalFiresOnceNowThenTheIntervalResumes() {
        let schedule = Schedule.every(seconds: 900)
        let now = instant("2026-01-02 08:00:00")
        // The daemon was down all night: many ticks were missed, one run is due now.
        let due = schedule.nextFire(after: now, timeZone: utc, lastFire: instant("2026-01-01 18:00:00"))
        #expect(due == now)
        // Once that run is recorded, the next one is an interval later.
        #expect(utcText(schedule.nextFire(after: now, timeZone: utc, lastFire: now)) == "2026-01-02 08:15:00")
    }

    @Test func aCronJobThatNeverFiredWaitsForItsFirstTick() throws {
        let schedule = try Schedule.parse("0 * * * *")
        let next = schedule.nextFire(after: instant("2026-01-01 10:20:00"), timeZone: utc, lastFire: nil)
        #expect(utcText(next) == "2026-01-01 11:00:00")
    }

    @Test func aCronJobFiresAtTheTickAfterItsLastFire() throws {
        let schedule = try Schedule.parse("0 * * * *")
        let next = schedule.nextFire(after: instant("2026-01-01 10:20:00"), timeZone: utc,
                                     lastFire: instant("2026-01-01 10:00:00"))
        #expect(utcText(next) == "2026-01-01 11:00:00")
    }

    @Test func aMissedCronTickFiresOnceNowThenTheScheduleResumes() throws {
        let schedule = try Schedule.parse("0 * * * *")
        let now = instant("2026-01-02 08:20:00")
        #expect(schedule.nextFire(after: now, timeZone: utc, lastFire: instant("2026-01-01 18:00:00")) == now)
        #expect(utcText(schedule.nextFire(after: now, timeZone: utc, lastFire: now)) == "2026-01-02 09:00:00")
    }

    @Test func cronSchedulesUseTheJobsTimeZone() throws {
        let schedule = try Schedule.parse("0 9 * * *")
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        let next = schedule.nextFire(after: instant("2026-01-15 00:00:00"), timeZone: berlin, lastFire: nil)
        #expect(utcText(next) == "2026-01-15 08:00:00")
    }

    @Test func aCronScheduleThatNeverMatchesHasNoNextFire() throws {
        let schedule = try Schedule.parse("0 0 30 2 *")
        #expect(schedule.nextFire(after: instant("2026-01-01 00:00:00"), timeZone: utc, lastFire: nil) == nil)
    }
}
