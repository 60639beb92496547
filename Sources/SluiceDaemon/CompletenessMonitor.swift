import Foundation
package import Logging
package import SluiceCore
import SluiceSources

/// Keeps the warehouse's `sluice_gaps` and `sluice_freshness` current and says what needs a human: gaps whose
/// deadline is near (with the exact command that repairs them), gaps already lost, and complete windows with a
/// suspiciously low volume.
package struct CompletenessMonitor: Sendable {
    let warehouse: any Warehouse
    let metrics: RunMetrics?
    var logger: Logger
    /// How far ahead of a gap's deadline every run warns about it (`--gap-warning`, default 7 days).
    let warningSeconds: Double

    package static let defaultWarningSeconds: Double = 7 * 86_400

    package init(warehouse: any Warehouse, metrics: RunMetrics?, logger: Logger,
                warningSeconds: Double = CompletenessMonitor.defaultWarningSeconds) {
        self.warehouse = warehouse
        self.metrics = metrics
        self.logger = logger
        self.warningSeconds = warningSeconds
    }

    /// The gaps of `job` a run can still re-pull, oldest first, from `coverage` (its ledger).
    package static func repairs(_ job: JobDefinition, coverage: [CoverageRow], now: Double) -> [CoverageGap] {
        let report = Completeness.evaluate(CompletenessPolicy(job: job, now: Date(timeIntervalSince1970: now)),
                                           rows: coverage, lastSuccessAt: nil, firstRunStart: nil, now: now)
        return report.repairable(now: EpochMillis.from(seconds: now))
    }

    /// After a run of `job` (run `runID`): brings the job's gaps and freshness up to date and logs what needs
    /// attention.
    @discardableResult
    package func afterRun(_ job: JobDefinition, runID: Int64?, now: Double) async -> CompletenessReport? {
        let report: CompletenessReport
        do {
            let policy = CompletenessPolicy(job: job, now: Date(timeIntervalSince1970: now))
            guard let first = try await warehouse.completeness([policy], now: now, write: true).first else { return nil }
            report = first
        } catch {
            logger.error("could not update gaps and freshness: \(error)", metadata: ["job.name": "\(job.name)"])
            return nil
        }
        metrics?.completeness(report, now: now)
        let nowMillis = EpochMillis.from(seconds: now)
        for gap in report.nearingDeadline(now: nowMillis, within: EpochMillis.from(seconds: warningSeconds)) {
            logger.warning("\(Self.describe(gap, now: nowMillis)); repair it now: sluice backfill \(job.name) --gaps",
                           metadata: ["job.name": "\(job.name)", "db.table": "\(gap.table)"])
        }
        let lost = report.gaps.filter { $0.reason == .lost }
        if !lost.isEmpty {
            let seconds = lost.reduce(0.0) { $0 + $1.seconds }
            logger.notice("\(lost.count) gap(s) totalling \(DurationText.format(seconds)) are lost: the API no longer serves them",
                          metadata: ["job.name": "\(job.name)"])
        }
        for window in report.suspicious where window.runID == runID {
            let text = "\(Self.describe(window)) is complete but served \(window.rows) row(s), far below the usual "
                + "volume: check the source before trusting that period"
            logger.warning("\(text)",
                           metadata: ["job.name": "\(job.name)", "db.table": "\(window.table)"])
            metrics?.suspiciousWindow(job: job.name, table: window.table)
        }
        return report
    }

    /// Refreshes every job (the daemon, once a minute: lag grows and gaps cross their deadline without any
    /// run); returns how many jobs have gaps that can still be repaired.
    package func refresh(_ jobs: [JobDefinition], now: Double) async -> Int {
        let policies = jobs.map { CompletenessPolicy(job: $0, now: Date(timeIntervalSince1970: now)) }
        do {
            let reports = try await warehouse.completeness(policies, now: now, write: true)
            for report in reports { metrics?.completeness(report, now: now) }
            return reports.filter { $0.gaps.contains { $0.reason != .lost } }.count
        } catch {
            logger.error("could not update gaps and freshness: \(error)")
            return 0
        }
    }

    /// "gap in t from A to B (partial) becomes unrecoverable at C (in 2d3h)".
    package static func describe(_ gap: CoverageGap, now: Int64) -> String {
        var text = "gap in \(gap.table) from \(Self.instant(gap.start)) to \(Self.instant(gap.end)) (\(gap.reason.rawValue))"
        if let until = gap.recoverableUntil {
            text += " becomes unrecoverable at \(Self.instant(until)) (in \(DurationText.format(Double(max(0, until - now) / 1000))))"
        }
        return text
    }

    /// "window of t from A to B" or "snapshot of t at A".
    package static func describe(_ window: CoverageRow) -> String {
        window.isPoint ? "snapshot of \(window.table) at \(instant(window.start))"
            : "window of \(window.table) from \(instant(window.start)) to \(instant(window.end))"
    }

    /// UTC text with its `Z`.
    package static func instant(_ millis: Int64) -> String { EpochMillis.text(millis) + "Z" }
}
