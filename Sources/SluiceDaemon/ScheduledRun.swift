package import Logging
package import SluiceCore

/// One scheduled fire of a job inside the daemon: run it under its lock, count it, publish.
///
/// The per-job lock is held for the whole run (``JobRunner/runLocked(_:trigger:backfill:)``), so an operator's
/// `sluice run` of the same job and the daemon never run it at once; a fire that finds the lock taken is
/// skipped (logged) and the job waits for its next tick.
package struct ScheduledRun: Sendable {
    let runner: JobRunner
    let warehouse: any Warehouse
    let metrics: RunMetrics?
    let publisher: (any WarehousePublisher)?
    let logger: Logger

    package init(runner: JobRunner, warehouse: any Warehouse, metrics: RunMetrics?, publisher: (any WarehousePublisher)?,
                logger: Logger) {
        self.runner = runner
        self.warehouse = warehouse
        self.metrics = metrics
        self.publisher = publisher
        self.logger = logger
    }

    /// Runs `job` once with trigger `schedule`, serving the schedule's `tick`; nil when it did not start because
    /// another process runs it, or (processes sharing a warehouse) already ran it for that tick.
    package func callAsFunction(_ job: JobDefinition, tick: UTCClock.Instant?) async -> RunStatus? {
        guard let report = await runner.runLocked(job, trigger: .schedule, unlessServed: tick?.epochSeconds) else {
            logger.info("job is running in another process, or ran there for this tick; this fire is skipped",
                        metadata: ["job.name": "\(job.name)"])
            return nil
        }
        if let metrics {
            do {
                let runs = try await warehouse.recentRuns(job: job.name, limit: 50)
                metrics.setConsecutiveFailures(job: job.name, RunHistory.consecutiveFailures(runs))
            } catch {
                logger.error("could not read the job's runs for its metrics: \(error)", metadata: ["job.name": "\(job.name)"])
            }
        }
        if report.status == .succeeded, let publisher { await publisher.publish(after: job.name) }
        return report.status
    }
}
