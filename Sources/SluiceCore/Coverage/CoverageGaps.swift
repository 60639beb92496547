/// Why an interval is not covered.
package enum GapReason: String, Sendable, Hashable {
    /// A read of it broke off after some pages were committed.
    case partial
    /// Nothing read it.
    case missing
    /// The API no longer serves it: never retried, reported for ever.
    case lost
}

/// One row of `sluice_gaps`: an interval between a job's first and newest covered instants that no
/// `complete` window covers.
package struct CoverageGap: Sendable, Hashable {
    package var job: String
    package var table: String
    /// Milliseconds since the epoch; `[start, end)`.
    package var start: Int64
    package var end: Int64
    package var reason: GapReason
    /// When the API stops serving the gap's start (nil: the source keeps history).
    package var recoverableUntil: Int64?

    package init(job: String, table: String, start: Int64, end: Int64, reason: GapReason, recoverableUntil: Int64?) {
        self.job = job
        self.table = table
        self.start = start
        self.end = end
        self.reason = reason
        self.recoverableUntil = recoverableUntil
    }

    package var seconds: Double { Double(end - start) / 1000 }

    /// Whether a run can still re-pull it: not lost, and not so close to the deadline that the API may have
    /// dropped its start by the time the request arrives.
    package func isRecoverable(now: Int64) -> Bool {
        guard reason != .lost else { return false }
        guard let until = recoverableUntil else { return true }
        return until - CoverageGaps.safetyMargin > now
    }
}

/// Finds the gaps of one job and table in its ledger. Pure.
package enum CoverageGaps {
    /// A gap is only re-pulled while its start is at least this far (10 minutes) from the API's retention
    /// edge: a request planned at the edge would ask for an instant the API has just dropped.
    package static let safetyMargin: Int64 = 600_000

    /// The gaps among `rows` (one job and table), oldest first.
    ///
    /// - Parameters:
    ///   - recoverableFor: how long the API keeps an instant (milliseconds); nil when it keeps history.
    ///   - inProgress: runs still reading: their `partial` windows are not broken yet, so they are left out.
    package static func find(_ rows: [CoverageRow], recoverableFor: Int64?, now: Int64,
                            inProgress: Set<Int64> = []) -> [CoverageGap] {
        let settled = rows.filter { !($0.status == .partial && inProgress.contains($0.runID)) && !$0.isPoint }
        guard let first = settled.map(\.start).min(), let newest = settled.map(\.end).max(),
              let sample = settled.first else { return [] }
        let covered = union(settled.filter { $0.status == .complete }.map { ($0.start, $0.end) })
        var holes: [(Int64, Int64)] = []
        var cursor = first
        for (start, end) in covered {
            if start > cursor { holes.append((cursor, start)) }
            cursor = max(cursor, end)
        }
        if cursor < newest { holes.append((cursor, newest)) }

        var gaps: [CoverageGap] = []
        let partials = settled.filter { $0.status == .partial }
        for (start, end) in holes {
            let reason: GapReason = partials.contains { $0.start < end && $0.end > start } ? .partial : .missing
            let gap = CoverageGap(job: sample.job, table: sample.table, start: start, end: end, reason: reason,
                                  recoverableUntil: recoverableFor.map { start + $0 })
            gaps += splitAtRetention(gap, recoverableFor: recoverableFor, now: now)
        }
        return gaps
    }

    /// A gap the API has partly forgotten becomes a `lost` part and a part still served.
    static func splitAtRetention(_ gap: CoverageGap, recoverableFor: Int64?, now: Int64) -> [CoverageGap] {
        guard let keep = recoverableFor else { return [gap] }
        let edge = now - keep
        if gap.end <= edge { return [with(gap, reason: .lost)] }
        guard gap.start < edge else { return [gap] }
        var lost = with(gap, reason: .lost)
        lost.end = edge
        var kept = gap
        kept.start = edge
        kept.recoverableUntil = edge + keep
        return [lost, kept]
    }

    private static func with(_ gap: CoverageGap, reason: GapReason) -> CoverageGap {
        var copy = gap
        copy.reason = reason
        return copy
    }

    /// Sorted, merged intervals (touching ones joined).
    static func union(_ intervals: [(Int64, Int64)]) -> [(Int64, Int64)] {
        var merged: [(Int64, Int64)] = []
        for (start, end) in intervals.sorted(by: { $0.0 < $1.0 }) {
            if let last = merged.last, start <= last.1 {
                merged[merged.count - 1].1 = max(last.1, end)
            } else {
                merged.append((start, end))
            }
        }
        return merged
    }
}
