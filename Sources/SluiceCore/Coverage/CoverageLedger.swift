/// What one batch's ``CoverageMark`` does to the ledger of its job and table: the rows to write and the rows
/// (by start) to delete. Pure, so every rule is tested with plain numbers; each backend applies the change in
/// the batch's own transaction.
package struct CoverageChange: Sendable, Equatable {
    package var upserts: [CoverageRow] = []
    /// Starts of rows to delete (before the upserts are written).
    package var deletes: [Int64] = []

    package init(upserts: [CoverageRow] = [], deletes: [Int64] = []) {
        self.upserts = upserts
        self.deletes = deletes
    }
}

package enum CoverageLedger {
    /// The change `mark` makes.
    ///
    /// - A read in progress (or broken off) writes its window as `partial`, keyed by its start, with the
    ///   pages and rows so far; it never downgrades a `complete` row it is re-reading (the rows the earlier
    ///   read committed are still there).
    /// - A completed read replaces the row of its window; with ``CoverageMark/joinsDay`` it also absorbs the
    ///   complete rows of the same UTC day it touches, so a day widened by later runs stays one row.
    /// - `partial` rows that lie wholly inside a window just completed are superseded and deleted.
    /// - A completed window's ``CoverageRow/suspicious`` flag is decided against `history`: the job and
    ///   table's earlier complete windows, newest first.
    ///
    /// - Parameters:
    ///   - existing: the job and table's rows that may be touched: at least those overlapping the mark's UTC
    ///     day and the mark's window (more is harmless).
    package static func apply(_ mark: CoverageMark, job: String, runID: Int64, now: Int64, existing: [CoverageRow],
                             history: [CoverageRow]) -> CoverageChange {
        var row = CoverageRow(job: job, table: mark.table, start: mark.start, end: mark.end, status: mark.status,
                              pages: mark.pages, rows: mark.rows, runID: runID, updatedAt: now)
        let current = existing.first { $0.start == mark.start }
        guard mark.status == .complete else {
            if let current, current.status == .complete, current.end >= mark.end { return CoverageChange() }
            return CoverageChange(upserts: [row])
        }
        var deletes: [Int64] = []
        if mark.joinsDay, !row.isPoint {
            let day = EpochMillis.dayStart(mark.start)
            var absorbed = Set<Int64>()
            var grew = true
            while grew {
                grew = false
                for other in existing where other.status == .complete && other.start != mark.start
                    && !absorbed.contains(other.start) && !other.isPoint
                    && EpochMillis.dayStart(other.start) == day && other.start <= row.end && other.end >= row.start {
                    absorbed.insert(other.start)
                    row.start = min(row.start, other.start)
                    row.end = max(row.end, other.end)
                    row.pages += other.pages
                    row.rows += other.rows
                    grew = true
                }
            }
            deletes += absorbed.sorted()
            if row.start != mark.start { deletes.append(mark.start) }
        }
        for other in existing where other.status == .partial && other.start != row.start && other.start != mark.start
            && other.start >= row.start && other.end <= row.end {
            deletes.append(other.start)
        }
        let earlier = history.filter { $0.start != row.start && $0.start < row.start && $0.status == .complete
            && $0.isPoint == row.isPoint && !deletes.contains($0.start) }
        // A window that re-reads time an earlier window already covered (a cursor feed asks again from its
        // watermark, which may lie far back) is measured by its new part only: the old part was counted then.
        let coveredUntil = row.isPoint ? nil : earlier.map(\.end).filter { $0 > row.start && $0 < row.end }.max()
        let newSeconds = coveredUntil.map { Double(row.end - $0) / 1000 } ?? row.seconds
        row.suspicious = SuspiciousVolume.isSuspicious(rows: row.rows, seconds: newSeconds,
                                                       history: earlier.prefix(SuspiciousVolume.historyCount)
                                                           .map { ($0.rows, $0.seconds) })
        return CoverageChange(upserts: [row], deletes: Array(Set(deletes)).sorted())
    }
}

/// When a complete window's volume is worth a human's look: the API may truly have had a quiet day, but a
/// run that reports success with a tenth of the usual rows is how missing data hides.
///
/// The rule: compare with the median of the job and table's last 7 complete windows (at least one), scaled
/// to this window's length (a rate for intervals, plain rows for snapshots). The window is suspicious when
/// that expectation is at least 20 rows and the window served under 10 % of it (zero rows included).
/// Short or naturally quiet windows (a feed polled every few minutes) therefore never raise it.
package enum SuspiciousVolume {
    package static let historyCount = 7
    package static let minimumExpected = 20.0
    package static let fraction = 0.1

    package static func isSuspicious(rows: Int, seconds: Double, history: [(rows: Int, seconds: Double)]) -> Bool {
        guard let expected = expectedRows(seconds: seconds, history: history) else { return false }
        return expected >= minimumExpected && Double(rows) < fraction * expected
    }

    /// The median earlier volume scaled to `seconds`; nil without history.
    package static func expectedRows(seconds: Double, history: [(rows: Int, seconds: Double)]) -> Double? {
        if seconds > 0 {
            let rates = history.filter { $0.seconds > 0 }.map { Double($0.rows) / $0.seconds }
            return median(rates).map { $0 * seconds }
        }
        return median(history.map { Double($0.rows) })
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
