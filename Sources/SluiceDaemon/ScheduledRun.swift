import Logging
import SluiceCore
import SluiceWarehouse

/// One scheduled fire of a job inside the daemon: take the job's lock, run it, count it, publish.
///
/// The per-job ``JobLock`` is held for the whole run, so an operator's `sluice run` of the same job and the
/// daemon never run it at once; a fire that finds the lock taken is skipped (logged) and the job waits for
/// its next tick. Holding the lock also proves that a run of the job still marked `running` belongs to a
/// process that is gone, so it is marked `abandoned` first.
public struct ScheduledRun: Sendable {
    let runner: JobRunner
    let warehouse: Warehouse
    let warehousePath: String
    let metrics: DaemonMetrics
    let publisher: Publisher?
    let logger: Logger
    let now: @Sendable () -> Double

    public init(runner: JobRunner, warehouse: Warehouse, warehousePath: String, metrics: DaemonMetrics,
                publisher: Publisher?, logger: Logger, now: @escaping @Sendable () -> Double = { WallClock.epochNow() }) {
        self.runner = runner
        self.warehouse = warehouse
        self.warehousePath = warehousePath
        self.metrics = metrics
        self.publisher = publisher
        self.logger = logger
        self.now = now
    }

    /// Runs `job` once with trigger `schedule`; nil when it did not start because another process runs it.
    public func callAsFunction(_ job: JobDefinition) async -> RunStatus? {
        let lock: JobLock
        do {
            guard let acquired = try JobLock.tryAcquire(job: job.name, warehouse: warehousePath) else {
                logger.warning("job is running in another process; this fire is skipped",
                               metadata: ["job.name": "\(job.name)"])
                return nil
            }
            lock = acquired
        } catch {
            logger.error("could not take the job lock: \(error)", metadata: ["job.name": "\(job.name)"])
            return .failed
        }
        let abandoned = (try? await warehouse.markAbandonedRuns(job: job.name)) ?? 0
        if abandoned > 0 {
            logger.warning("marked runs left running by a stopped process as abandoned",
                           metadata: ["job.name": "\(job.name)", "run.abandoned": "\(abandoned)"])
        }
        let report = await runner.run(job, trigger: .schedule)
        metrics.record(report, finishedAt: now())
        if report.status == .succeeded, let publisher {
            await publisher.publish(after: job.name)
        }
        withExtendedLifetime(lock) {}
        return report.status
    }
}
