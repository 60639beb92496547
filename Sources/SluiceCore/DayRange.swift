/// Inclusive range of whole UTC days, as `sluice backfill --from --to` gives it.
package struct DayRange: Sendable, Hashable, CustomStringConvertible {
    /// Epoch seconds of 00:00:00Z on the first day.
    package var startEpoch: Int64
    /// Epoch seconds of 00:00:00Z on the day after the last day (exclusive end).
    package var endEpoch: Int64

    package init(startEpoch: Int64, endEpoch: Int64) {
        self.startEpoch = startEpoch
        self.endEpoch = endEpoch
    }

    /// Parses `YYYY-MM-DD` days; `to` is inclusive.
    package init?(from: String, to: String) {
        guard Timestamps.isDate(from), Timestamps.isDate(to),
              let s = Timestamps.epochSeconds(from + " 00:00:00"),
              let e = Timestamps.epochSeconds(to + " 00:00:00"), e >= s else { return nil }
        self.init(startEpoch: Int64(s), endEpoch: Int64(e) + 86_400)
    }

    package var description: String {
        let first = String(Timestamps.format(epochSecond: startEpoch).prefix(10))
        let last = String(Timestamps.format(epochSecond: endEpoch - 86_400).prefix(10))
        return "\(first)..\(last)"
    }
}
