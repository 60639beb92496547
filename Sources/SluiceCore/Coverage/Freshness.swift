package import Foundation

/// One row of `sluice_freshness`: can a dashboard built on this job and table be trusted today?
package struct FreshnessRow: Sendable, Hashable {
    package var job: String
    package var table: String
    /// When the job's last `succeeded` or `unchanged` run finished (milliseconds since the epoch).
    package var lastSuccessAt: Int64?
    /// The end of the newest window such that everything from the job's first covered instant up to it is
    /// complete (gaps the API has already forgotten are counted in ``lostSeconds`` and no longer hold it
    /// back). For snapshots: the newest complete snapshot.
    package var completeThrough: Int64?
    /// Seconds from ``completeThrough`` to the time of the computation.
    package var lagSeconds: Int64?
    /// No success within the job's staleness bound.
    package var stale: Bool
    /// Gaps that can still be repaired.
    package var gaps: Int
    /// Total length of the gaps the API no longer serves.
    package var lostSeconds: Int64

    package init(job: String, table: String, lastSuccessAt: Int64?, completeThrough: Int64?, lagSeconds: Int64?,
                stale: Bool, gaps: Int, lostSeconds: Int64) {
        self.job = job
        self.table = table
        self.lastSuccessAt = lastSuccessAt
        self.completeThrough = completeThrough
        self.lagSeconds = lagSeconds
        self.stale = stale
        self.gaps = gaps
        self.lostSeconds = lostSeconds
    }
}

/// Computes freshness from a job and table's ledger and gaps. Pure.
package enum Freshness {
    package static func row(job: String, table: String, rows: [CoverageRow], gaps: [CoverageGap],
                           lastSuccessAt: Int64?, stale: Bool, now: Int64, inProgress: Set<Int64> = []) -> FreshnessRow {
        let through = completeThrough(rows, gaps: gaps, inProgress: inProgress)
        let lost = gaps.filter { $0.reason == .lost }.reduce(Int64(0)) { $0 + ($1.end - $1.start) }
        return FreshnessRow(job: job, table: table, lastSuccessAt: lastSuccessAt, completeThrough: through,
                            lagSeconds: through.map { max(0, (now - $0) / 1000) }, stale: stale,
                            gaps: gaps.filter { $0.reason != .lost }.count, lostSeconds: lost / 1000)
    }

    /// See ``FreshnessRow/completeThrough``.
    package static func completeThrough(_ rows: [CoverageRow], gaps: [CoverageGap], inProgress: Set<Int64> = []) -> Int64? {
        let settled = rows.filter { !($0.status == .partial && inProgress.contains($0.runID)) }
        let intervals = settled.filter { !$0.isPoint }
        guard let first = intervals.map(\.start).min() else {
            return settled.filter { $0.status == .complete }.map(\.start).max()
        }
        let covered = CoverageGaps.union(intervals.filter { $0.status == .complete }.map { ($0.start, $0.end) }
                                             + gaps.filter { $0.reason == .lost }.map { ($0.start, $0.end) })
        guard let head = covered.first, head.0 <= first else { return nil }
        return head.1
    }
}

/// When a job counts as stale: no success within two schedule intervals, or within the job's
/// `max_staleness:`.
package enum Staleness {
    /// Seconds without a success after which `job` is stale.
    package static func bound(for job: JobDefinition, now: Date) -> Double {
        if let explicit = job.maxStalenessSeconds { return explicit }
        return 2 * longestInterval(job.schedule, timeZone: TimeZones.named(job.timezone) ?? TimeZones.utc, from: now)
    }

    /// Stale when the last success (or, before any, the first run's start) is longer ago than `bound`; a job
    /// that never ran is not stale yet.
    package static func isStale(lastSuccess: Double?, firstRunStart: Double?, bound: Double, now: Double) -> Bool {
        guard let since = lastSuccess ?? firstRunStart else { return false }
        return now - since > bound
    }

    /// The schedule's interval; for cron, the longest of the next week of fires (a weekday schedule's
    /// Friday-to-Monday stretch, not its daily step).
    static func longestInterval(_ schedule: Schedule, timeZone: TimeZone, from now: Date) -> Double {
        switch schedule {
        case .every(let seconds):
            return seconds
        case .cron(let cron):
            var longest = 0.0
            var previous = now
            let horizon = now.addingTimeInterval(8 * 86_400)
            var count = 0
            while count < 400, let next = cron.nextFire(after: previous, in: timeZone) {
                if count > 0 { longest = max(longest, next.timeIntervalSince(previous)) }
                previous = next
                count += 1
                if next > horizon { break }
            }
            return longest > 0 ? longest : 86_400
        }
    }
}
