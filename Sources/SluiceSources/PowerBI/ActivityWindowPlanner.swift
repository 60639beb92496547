package import SluiceCore

/// One request chain of the Activity Events API: an instant range whose two ends lie in the same UTC day.
///
/// Instants are milliseconds since 1970-01-01T00:00:00Z, both ends inclusive, because the API takes
/// `endDateTime='…T23:59:59.999Z'` for the end of a day.
package struct ActivityWindow: Sendable, Hashable, CustomStringConvertible {
    package var startMillis: Int64
    package var endMillis: Int64

    package init(startMillis: Int64, endMillis: Int64) {
        self.startMillis = startMillis
        self.endMillis = endMillis
    }

    /// The UTC day, `YYYY-MM-DD`, for steps and logs.
    package var day: String { String(ActivityWindow.isoText(startMillis).prefix(10)) }

    /// `startDateTime` without its quotes: `2026-11-20T00:00:00.000Z`.
    package var startText: String { ActivityWindow.isoText(startMillis) }

    /// `endDateTime` without its quotes: `2026-11-20T23:59:59.999Z`.
    package var endText: String { ActivityWindow.isoText(endMillis) }

    package var description: String { "[\(startText), \(endText)]" }

    /// ISO 8601 UTC with exactly three fractional digits and `Z`, the form the API's examples use.
    static func isoText(_ millis: Int64) -> String {
        let (seconds, ms) = ActivityWindowPlanner.floorDivide(millis, 1000)
        let text = Timestamps.format(epochSecond: seconds, millis: Int(ms))
        return String(text.prefix(10)) + "T" + String(text.dropFirst(11)) + "Z"
    }
}

/// Plans the UTC-day windows of a Power BI activity pull. Pure: the same inputs always give the same plan.
///
/// A live run covers `checkpoint − late_arrival` (first run: `now − initial_lookback`) up to `now`, never
/// more than 28 days back (the API keeps 28 days; Microsoft's pages say 28 or 30, 28 is the safe bound).
/// Each UTC day becomes one window; a full day ends at `23:59:59.999` and the last window ends at `now`.
/// When `now` is exactly midnight, the new day holds no time yet, so the plan ends with the previous day.
package enum ActivityWindowPlanner {
    /// How far back the API serves events.
    package static let retentionMillis: Int64 = 28 * dayMillis
    static let dayMillis: Int64 = 86_400_000

    /// The windows of a live run.
    /// - Parameters:
    ///   - checkpointMillis: the instant every window up to which was pulled completely; nil on a first run.
    package static func plan(checkpointMillis: Int64?, nowMillis: Int64, lateArrivalMillis: Int64,
                            initialLookbackMillis: Int64) -> [ActivityWindow] {
        let wanted = checkpointMillis.map { $0 - max(0, lateArrivalMillis) } ?? nowMillis - max(0, initialLookbackMillis)
        let from = max(wanted, nowMillis - retentionMillis)
        return windows(from: from, nowMillis: nowMillis)
    }

    /// The windows of a backfill of whole UTC days (`range` ends exclusive), cut at `now`.
    ///
    /// Throws a configuration error when the first day starts more than 28 days before `now` (the API no
    /// longer has it) or lies entirely in the future.
    package static func backfill(_ range: DayRange, nowMillis: Int64) throws(SluiceError) -> [ActivityWindow] {
        let start = range.startEpoch * 1000
        let oldest = nowMillis - retentionMillis
        if start < oldest {
            let (oldestDay, rest) = floorDivide(oldest, dayMillis)
            let firstAllowed = (oldestDay + (rest == 0 ? 0 : 1)) * dayMillis
            throw SluiceError(.config, step: "backfill",
                              "cannot backfill from \(String(ActivityWindow.isoText(start).prefix(10))): the Power BI "
                                  + "activity API keeps only 28 days of events, so the oldest day that can be pulled "
                                  + "completely is \(String(ActivityWindow.isoText(firstAllowed).prefix(10)))")
        }
        guard start <= nowMillis else {
            throw SluiceError(.config, step: "backfill",
                              "nothing to backfill: \(String(ActivityWindow.isoText(start).prefix(10))) is in the future")
        }
        return windows(from: start, nowMillis: min(nowMillis, range.endEpoch * 1000 - 1))
    }

    /// Splits `[from, now]` into UTC-day windows (empty when `from` is after `now`).
    static func windows(from: Int64, nowMillis: Int64) -> [ActivityWindow] {
        var through = nowMillis
        // `now` at exactly 00:00:00.000 would make a one-millisecond window of a day that has not begun.
        if floorDivide(nowMillis, dayMillis).remainder == 0, nowMillis > from { through = nowMillis - 1 }
        var out: [ActivityWindow] = []
        var cursor = from
        while cursor <= through {
            let dayEnd = (floorDivide(cursor, dayMillis).quotient + 1) * dayMillis - 1
            let end = min(dayEnd, through)
            out.append(ActivityWindow(startMillis: cursor, endMillis: end))
            cursor = end + 1
        }
        return out
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> (quotient: Int64, remainder: Int64) {
        let q = a >= 0 ? a / b : -((-a + b - 1) / b)
        return (q, a - q * b)
    }
}
