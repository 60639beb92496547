package import Foundation

extension CronExpression {
    /// How many years ahead the search looks before it gives up. Eight covers the longest legitimate wait,
    /// a 29 February across a century that is not a leap year (2096 → 2104).
    static let searchYears = 8

    /// The first instant strictly after `after` whose wall-clock time in `timeZone` matches, or nil when none
    /// exists within 8 years (`0 0 30 2 *`).
    ///
    /// Daylight-saving changes: a wall time that does not exist because the clocks spring forward fires
    /// once, at the first instant after the gap (02:30 on the day Berlin jumps from 02:00 to 03:00 fires at
    /// 03:00 local), as Vixie cron runs skipped jobs right away. A wall time that occurs twice because the
    /// clocks fall back fires only at its first occurrence, so no job runs twice; a job with a fixed time in
    /// that hour fires once, and a frequent job (`*/15 * * * *`) pauses during the repeated hour.
    ///
    /// The search skips whole months, days and hours that cannot match, so even a rare expression costs a
    /// few thousand integer steps at most.
    package func nextFire(after: Date, in timeZone: TimeZone) -> Date? {
        let afterSeconds = after.timeIntervalSince1970
        // ±10^11 s is about ±3000 years: far beyond any schedule, and safely inside Int64 arithmetic.
        guard afterSeconds.isFinite, abs(afterSeconds) < 1e11 else { return nil }
        let zone = ZoneWallTime(timeZone: timeZone)
        let afterSecond = Int64(afterSeconds.rounded(.down))
        // The wall-clock reading at `after`. Every wall time before it maps to an instant <= `after`, so the
        // search can start at the next wall minute.
        let wallNow = afterSecond + zone.offset(at: afterSecond)
        var cursor = floorDivide(wallNow, 60) * 60 + 60
        let lastYear = Timestamps.civil(fromDays: floorDivide(cursor, 86_400)).year + CronExpression.searchYears
        while let wall = nextMatchingWallTime(atOrAfter: cursor, lastYear: lastYear) {
            let instant = zone.firstInstant(forWallTime: wall)
            // Only in a fall-back overlap can a later wall time map to an instant not after `after`.
            if Double(instant) > afterSeconds { return Date(timeIntervalSince1970: Double(instant)) }
            cursor = wall + 60
        }
        return nil
    }

    /// The first wall time (seconds since 1970-01-01T00:00 wall clock) at or after `wall` that matches every
    /// field, or nil past the end of `lastYear`. `wall` must be a whole minute.
    func nextMatchingWallTime(atOrAfter wall: Int64, lastYear: Int) -> Int64? {
        let days = floorDivide(wall, 86_400)
        let secondOfDay = Int(wall - days * 86_400)
        var (year, month, day) = Timestamps.civil(fromDays: days)
        var hour = secondOfDay / 3600
        var minute = secondOfDay / 60 % 60
        while year <= lastYear {
            guard months.contains(month) else {
                if let nextMonth = months.next(atOrAfter: month + 1) {
                    month = nextMonth
                } else {
                    year += 1
                    month = months.next(atOrAfter: 1) ?? 1
                }
                (day, hour, minute) = (1, 0, 0)
                continue
            }
            guard day <= Timestamps.daysInMonth(year, month) else {
                // Next month; the month check above moves on from there.
                if month == 12 { (year, month) = (year + 1, 1) } else { month += 1 }
                (day, hour, minute) = (1, 0, 0)
                continue
            }
            guard matchesDay(year: year, month: month, day: day) else {
                (day, hour, minute) = (day + 1, 0, 0)
                continue
            }
            guard let nextHour = hours.next(atOrAfter: hour) else {
                (day, hour, minute) = (day + 1, 0, 0)
                continue
            }
            if nextHour != hour { (hour, minute) = (nextHour, 0) }
            guard let nextMinute = minutes.next(atOrAfter: minute) else {
                (hour, minute) = (hour + 1, 0)
                continue
            }
            return Timestamps.daysFromCivil(year, month, day) * 86_400 + Int64(hour * 3600 + nextMinute * 60)
        }
        return nil
    }
}

/// Converts between instants and wall-clock readings of one time zone, choosing for wall times that do not
/// exist or exist twice (see ``CronExpression/nextFire(after:in:)``).
struct ZoneWallTime {
    let timeZone: TimeZone

    /// Seconds east of UTC at the instant `second` (seconds since the epoch).
    func offset(at second: Int64) -> Int64 {
        Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(second))))
    }

    /// The instant at which the wall clock first reads `wall`, or, when it never does (a spring-forward
    /// gap), the first instant after the gap.
    func firstInstant(forWallTime wall: Int64) -> Int64 {
        // UTC offsets lie within -12 h…+14 h, so the instant is within that distance of `wall`; the
        // offsets 15 h either side are the ones in force before and after any change that matters here.
        let before = offset(at: wall - 15 * 3600)
        let after = offset(at: wall + 15 * 3600)
        let candidates = [before, after].filter { offset(at: wall - $0) == $0 }.map { wall - $0 }
        // Two candidates: the wall time occurs twice (fall back); the smaller one is the first occurrence.
        if let first = candidates.min() { return first }
        // None: the wall time falls in a gap, which starts at the transition between these two instants.
        var low = wall - after  // still on the old offset
        var high = wall - before  // already on the new offset
        guard after > before, offset(at: high) != offset(at: low) else { return wall - before }
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if offset(at: middle) == offset(at: low) { low = middle } else { high = middle }
        }
        return high
    }
}

/// Integer division rounding towards negative infinity (wall times before 1970 are negative).
fileprivate func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
