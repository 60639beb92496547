/// A 5-field cron expression: minute hour day-of-month month day-of-week, with Vixie cron's semantics.
///
/// Accepted syntax, per field: `*`, single values, lists `a,b`, ranges `a-b`, steps `*/n`, `a-b/n` and `a/n`
/// (`a` to the field's end), month names `JAN`–`DEC` and weekday names `SUN`–`SAT` (any case), and both `0`
/// and `7` for Sunday. The whole expression may instead be one of the macros `@hourly`, `@daily`,
/// `@midnight`, `@weekly`, `@monthly`, `@yearly` or `@annually`.
///
/// Day rule (as crontab(5) states it): when both day-of-month and day-of-week are restricted (their field
/// does not start with `*`), a day matches when either matches, so `30 4 1,15 * 5` runs on the 1st, the 15th
/// and every Friday. Otherwise both must match, and the `*` one always does; `*/2` counts as unrestricted.
///
/// See ``nextFire(after:in:)`` for how time zones and daylight-saving changes are handled.
package struct CronExpression: Sendable, Hashable {
    /// The expression as written (fields separated by single spaces).
    package let source: String

    let minutes: CronField
    let hours: CronField
    let daysOfMonth: CronField
    let months: CronField
    /// Sunday is 0; a 7 in the text is stored as 0.
    let daysOfWeek: CronField
    /// The day-of-month field does not start with `*`.
    let dayOfMonthRestricted: Bool
    /// The day-of-week field does not start with `*`.
    let dayOfWeekRestricted: Bool

    /// Parses `text`; throws ``CronError`` naming the field and the value at fault
    /// (`day-of-month: 32 is out of range 1-31`).
    package init(parsing text: String) throws {
        let trimmed = text.trimmingWhitespace()
        let fieldsText: String
        if trimmed.hasPrefix("@") {
            guard let expansion = CronExpression.macros[trimmed.lowercased()] else {
                throw CronError(message: "'\(trimmed)' is not a supported macro "
                    + "(use @hourly, @daily, @midnight, @weekly, @monthly, @yearly or @annually)")
            }
            fieldsText = expansion
        } else {
            fieldsText = trimmed
        }
        let fields = fieldsText.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count == 5 else {
            throw CronError(message: "expected 5 fields (minute hour day-of-month month day-of-week), "
                + "found \(fields.count) in '\(trimmed)'")
        }
        source = trimmed.hasPrefix("@") ? trimmed : fields.joined(separator: " ")
        minutes = try CronFieldSpec.minute.parse(fields[0])
        hours = try CronFieldSpec.hour.parse(fields[1])
        daysOfMonth = try CronFieldSpec.dayOfMonth.parse(fields[2])
        months = try CronFieldSpec.month.parse(fields[3])
        daysOfWeek = try CronFieldSpec.dayOfWeek.parse(fields[4])
        dayOfMonthRestricted = !fields[2].hasPrefix("*")
        dayOfWeekRestricted = !fields[4].hasPrefix("*")
    }

    /// The macros and the expressions they stand for (as Vixie cron defines them).
    static let macros: [String: String] = [
        "@hourly": "0 * * * *",
        "@daily": "0 0 * * *",
        "@midnight": "0 0 * * *",
        "@weekly": "0 0 * * 0",
        "@monthly": "0 0 1 * *",
        "@yearly": "0 0 1 1 *",
        "@annually": "0 0 1 1 *",
    ]

    /// Whether the civil date matches the day fields, applying the day-of-month OR day-of-week rule.
    func matchesDay(year: Int, month: Int, day: Int) -> Bool {
        let domMatches = daysOfMonth.contains(day)
        let dowMatches = daysOfWeek.contains(CronExpression.weekday(year: year, month: month, day: day))
        if dayOfMonthRestricted && dayOfWeekRestricted { return domMatches || dowMatches }
        return domMatches && dowMatches
    }

    /// 0 = Sunday … 6 = Saturday.
    static func weekday(year: Int, month: Int, day: Int) -> Int {
        // 1970-01-01 was a Thursday (4).
        let days = Timestamps.daysFromCivil(year, month, day)
        let w = (days + 4) % 7
        return Int(w < 0 ? w + 7 : w)
    }
}

/// Why a cron expression or a schedule could not be parsed; `message` names the field and the value.
package struct CronError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What is wrong, for the person who wrote the job file.
    package var message: String
    /// Creates an error with the given message.
    package init(message: String) { self.message = message }
    /// The message, as the operator reads it.
    package var description: String { message }
}
