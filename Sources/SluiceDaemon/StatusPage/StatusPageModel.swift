package import SluiceCore

/// Everything the status page shows, computed from the jobs' status, run history and coverage; pure, so every
/// rule of the page (a job's mark, a day's coverage cell, the deadline call-outs) is tested without a server.
package struct StatusPageModel: Sendable {
    /// The one mark a job gets, in order of precedence (a running job that failed last time shows running).
    package enum Mark: String, Sendable {
        case running, failed, stale, succeeded, unchanged, cancelled, never
    }

    /// One UTC day of one job in the coverage heat map, worst first.
    package enum Cell: String, Sendable, CaseIterable {
        case lost, partial, missing, suspicious, complete, none
    }

    /// One run on the 24-hour timeline (seconds since the epoch).
    package struct Bar: Sendable, Equatable {
        package var runID: Int64
        package var start: Double
        package var end: Double
        package var status: RunStatus
        package var rows: Int
    }

    package struct Panel: Sendable {
        package var status: JobStatus
        package var mark: Mark
        /// The run in flight, when there is one.
        package var progress: RunProgress?
        /// Rows written by each of the last 30 finished runs, oldest first.
        package var rowsPerRun: [Int]
        /// One cell per day of ``StatusPageModel/days``.
        package var cells: [Cell]
        package var timeline: [Bar]
        /// "day 2026-11-10 partial — the API forgets it in 3 days: sluice backfill pbi --gaps".
        package var callouts: [String]
    }

    /// Seconds since the epoch when the page was made.
    package var now: Double
    /// The last 30 UTC days, oldest first (milliseconds of each day's 00:00Z).
    package var days: [Int64]
    package var panels: [Panel]
    /// Job files that did not load (file, line, cause); their jobs run an earlier definition or not at all.
    package var brokenFiles: [JobFileError] = []

    package static let dayCount = 30
    package static let runCount = 30
    package static let timelineSeconds = 86_400.0

    /// The model of `statuses` with each job's runs (newest first), coverage rows and progress.
    package static func build(statuses: [JobStatus], runs: [String: [RunRecord]], coverage: [String: [CoverageRow]],
                             progress: [String: RunProgress], brokenFiles: [JobFileError] = [], warningSeconds: Double,
                             now: Double) -> StatusPageModel {
        let nowMillis = EpochMillis.from(seconds: now)
        let today = EpochMillis.dayStart(nowMillis)
        let days = (0..<dayCount).reversed().map { today - Int64($0) * EpochMillis.day }
        let panels = statuses.map { status -> Panel in
            let history = runs[status.job] ?? []
            let finished = history.filter { $0.status != .running }
            return Panel(status: status, mark: mark(status, running: progress[status.job] != nil),
                         progress: progress[status.job],
                         rowsPerRun: finished.prefix(runCount).reversed().map { Int($0.rowsWritten) },
                         cells: cells(days: days, rows: coverage[status.job] ?? [],
                                      gaps: status.completeness?.gaps ?? [], now: nowMillis),
                         timeline: timeline(history, now: now),
                         callouts: callouts(status, warningSeconds: warningSeconds, now: nowMillis))
        }
        return StatusPageModel(now: now, days: days, panels: panels, brokenFiles: brokenFiles)
    }

    static func mark(_ status: JobStatus, running: Bool) -> Mark {
        if running { return .running }
        guard let last = status.lastRun else { return .never }
        if last.status == .failed || last.status == .abandoned { return .failed }
        if status.completeness?.freshness.contains(where: \.stale) == true { return .stale }
        switch last.status {
        case .succeeded: return .succeeded
        case .unchanged: return .unchanged
        case .running: return .running
        default: return .cancelled
        }
    }

    /// The worst state of each day across the job's tables: a lost, partial or missing gap touching the day, a
    /// suspicious window, covered, or nothing known (before the job's first window, after its newest).
    static func cells(days: [Int64], rows: [CoverageRow], gaps: [CoverageGap], now: Int64) -> [Cell] {
        days.map { day in
            let end = min(day + EpochMillis.day, max(now, day + 1))
            let touching = gaps.filter { $0.start < end && $0.end > day }
            if touching.contains(where: { $0.reason == .lost }) { return .lost }
            if touching.contains(where: { $0.reason == .partial }) { return .partial }
            if touching.contains(where: { $0.reason == .missing }) { return .missing }
            let inDay = rows.filter { $0.status == .complete && ($0.isPoint ? $0.start >= day && $0.start < end
                                                                      : $0.start < end && $0.end > day) }
            if inDay.contains(where: \.suspicious) { return .suspicious }
            return inDay.isEmpty ? .none : .complete
        }
    }

    static func timeline(_ runs: [RunRecord], now: Double) -> [Bar] {
        runs.compactMap { run -> Bar? in
            guard let start = Timestamps.epochSeconds(run.startedAt) else { return nil }
            let end = run.finishedAt.flatMap(Timestamps.epochSeconds) ?? now
            guard end >= now - timelineSeconds else { return nil }
            return Bar(runID: run.runID, start: max(start, now - timelineSeconds), end: max(end, start), status: run.status,
                       rows: Int(run.rowsWritten))
        }.sorted { $0.start < $1.start }
    }

    static func callouts(_ status: JobStatus, warningSeconds: Double, now: Int64) -> [String] {
        guard let report = status.completeness else { return [] }
        return report.nearingDeadline(now: now, within: EpochMillis.from(seconds: warningSeconds)).map { gap in
            let left = Double(max(0, (gap.recoverableUntil ?? now) - now)) / 1000
            return "\(gap.table) from \(CompletenessMonitor.instant(gap.start)) to \(CompletenessMonitor.instant(gap.end)) "
                + "\(gap.reason.rawValue) — the API forgets it in \(DurationText.format(left)): sluice backfill \(status.job) --gaps"
        }
    }
}
