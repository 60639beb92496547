/// Whether the API said there is nothing more for a window.
package enum CoverageStatus: String, Sendable, Hashable {
    /// The API itself ended the window: a null continuation token, no `@odata.nextLink`, a null `nextCursor`,
    /// the whole CSV read and committed.
    case complete
    /// Some pages were committed, then the chain broke off (or is still being read).
    case partial
}

/// What a batch says about the window it belongs to, written in the same transaction as its rows (the
/// `sluice_coverage` ledger), so the ledger never claims a window whose rows are not committed.
///
/// Instants are milliseconds since 1970-01-01T00:00:00Z; a window is half-open, `[start, end)`, and a point
/// (`start == end`) for a snapshot, which is whole at one moment and never makes a gap.
package struct CoverageMark: Sendable, Hashable {
    /// The target table the window's rows went to.
    package var table: String
    package var start: Int64
    package var end: Int64
    /// `complete` only on the batch after which the API has nothing more for the window.
    package var status: CoverageStatus
    /// Pages of this read of the window so far, this batch included.
    package var pages: Int
    /// Rows the API served in this read so far (not rows changed), this batch included.
    package var rows: Int
    /// When the read completes, complete windows of the same UTC day that it touches become one row (Power BI:
    /// a day, widened by later runs).
    package var joinsDay: Bool
    /// How long the API keeps an instant (milliseconds); nil when it keeps history.
    package var recoverableFor: Int64?

    package init(table: String, start: Int64, end: Int64, status: CoverageStatus, pages: Int, rows: Int,
                joinsDay: Bool = false, recoverableFor: Int64? = nil) {
        self.table = table
        self.start = start
        self.end = max(start, end)
        self.status = status
        self.pages = pages
        self.rows = rows
        self.joinsDay = joinsDay
        self.recoverableFor = recoverableFor
    }
}

/// One row of `sluice_coverage`: a window of one job and target table, keyed by its start.
package struct CoverageRow: Sendable, Hashable {
    package var job: String
    package var table: String
    /// Milliseconds since the epoch; `[start, end)`.
    package var start: Int64
    package var end: Int64
    package var status: CoverageStatus
    package var pages: Int
    package var rows: Int
    /// The run that last wrote the row.
    package var runID: Int64
    /// Milliseconds since the epoch.
    package var updatedAt: Int64
    /// A complete window whose volume is far below the job's usual (see ``SuspiciousVolume``).
    package var suspicious: Bool

    package init(job: String, table: String, start: Int64, end: Int64, status: CoverageStatus, pages: Int, rows: Int,
                runID: Int64, updatedAt: Int64, suspicious: Bool = false) {
        self.job = job
        self.table = table
        self.start = start
        self.end = end
        self.status = status
        self.pages = pages
        self.rows = rows
        self.runID = runID
        self.updatedAt = updatedAt
        self.suspicious = suspicious
    }

    /// A snapshot's point rather than an interval.
    package var isPoint: Bool { end == start }

    /// Seconds the window spans.
    package var seconds: Double { Double(end - start) / 1000 }
}

/// Milliseconds since the epoch as the warehouse's TIMESTAMP text, and back.
package enum EpochMillis {
    package static let day: Int64 = 86_400_000

    package static func text(_ millis: Int64) -> String {
        let (seconds, ms) = floorDivide(millis, 1000)
        return Timestamps.format(epochSecond: seconds, millis: ms == 0 ? nil : Int(ms))
    }

    package static func parse(_ text: String) -> Int64? {
        Timestamps.epochSeconds(text).map { Int64(($0 * 1000).rounded()) }
    }

    package static func from(seconds: Double) -> Int64 {
        guard seconds.isFinite else { return 0 }
        return Int64((min(max(seconds, -62_135_596_800), 253_402_300_799) * 1000).rounded())
    }

    /// 00:00:00.000Z of the UTC day holding `millis`.
    package static func dayStart(_ millis: Int64) -> Int64 { floorDivide(millis, day).quotient * day }

    package static func floorDivide(_ a: Int64, _ b: Int64) -> (quotient: Int64, remainder: Int64) {
        let q = a >= 0 ? a / b : -((-a + b - 1) / b)
        return (q, a - q * b)
    }
}
