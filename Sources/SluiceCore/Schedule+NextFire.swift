package import Foundation

extension Schedule {
    /// The longest `every` interval: a year and a day.
    package static let maxInterval: Double = 366 * 86_400

    /// Parses a job file's `schedule:` text: `every <duration>` (`every 1h`, `every 15m`, `every 1h30m`) or a
    /// 5-field cron expression or macro (`15 */2 * * *`, `@daily`).
    ///
    /// Throws ``CronError`` for both kinds: `'every 0m': the interval must be positive`, or the cron
    /// parser's message naming the field (`day-of-month: 32 is out of range 1-31`).
    package static func parse(_ text: String) throws -> Schedule {
        let trimmed = text.trimmingWhitespace()
        guard trimmed.lowercased().hasPrefix("every") else {
            return .cron(try CronExpression(parsing: trimmed))
        }
        let durationText = String(trimmed.dropFirst("every".count)).trimmingWhitespace()
        guard !durationText.isEmpty else {
            throw CronError(message: "'\(trimmed)': the interval is missing (write e.g. 'every 1h')")
        }
        guard let seconds = DurationText.seconds(durationText), seconds.isFinite else {
            throw CronError(message: "'\(trimmed)': '\(durationText)' is not a duration (use e.g. 90s, 15m, 1h30m, 7d)")
        }
        guard seconds > 0 else { throw CronError(message: "'\(trimmed)': the interval must be positive") }
        guard seconds <= Self.maxInterval else {
            throw CronError(message: "'\(trimmed)': the interval is too long (at most \(DurationText.format(Self.maxInterval)))")
        }
        return .every(seconds: seconds)
    }

    /// When the job should fire next, never earlier than `after` (usually now).
    ///
    /// - `after`: the moment from which to look.
    /// - `timeZone`: the job's zone; cron fields are wall-clock times there (interval schedules ignore it).
    /// - `lastFire`: when the job last fired, nil if never. Record the time the run actually started.
    ///
    /// `.every(seconds)`: `lastFire + interval`; a job that never fired is due at once (`after`).
    /// `.cron`: the first matching time after `lastFire`, or after `after` when the job never fired, so a new
    /// cron job waits for its first tick. For both kinds, a fire time that passed while the daemon was down
    /// comes back as `after`: the missed run fires once, now, not once per missed tick; recording that run
    /// as `lastFire` moves the next answer to the following tick. Nil when the cron expression never matches
    /// (`0 0 30 2 *`). See ``CronExpression/nextFire(after:in:)`` for daylight-saving changes.
    package func nextFire(after: Date, timeZone: TimeZone, lastFire: Date?) -> Date? {
        tick(after: after, timeZone: timeZone, lastFire: lastFire).map { max($0, after) }
    }

    /// The tick the next fire serves: like ``nextFire(after:timeZone:lastFire:)`` but not moved up to `after`,
    /// so for a missed run it is the tick that was missed. A scheduled run of the job that started at or after
    /// this tick (in another process sharing the warehouse) has already served it. An interval job that never
    /// fired is owed one run, whenever: its tick is `Date.distantPast`.
    package func tick(after: Date, timeZone: TimeZone, lastFire: Date?) -> Date? {
        switch self {
        case .every(let seconds):
            lastFire.map { $0.addingTimeInterval(seconds) } ?? .distantPast
        case .cron(let expression):
            expression.nextFire(after: lastFire ?? after, in: timeZone)
        }
    }
}
