import AsyncHTTPClient
import Logging
import SluiceCore
import SluiceHTTP
import SluiceSources
import SluiceWarehouse

/// Runs a set of jobs once, in the foreground (`sluice run`, `sluice backfill`, `sluice demo`).
///
/// Each job first takes its ``JobLock``: a job already running in another process (the daemon) is reported and
/// skipped, and a run of it left `running` by a dead process is marked `abandoned`. Jobs run concurrently, at most
/// `maxConcurrent` at a time; the Citrix source's per-tenant gate serialises jobs that share a tenant.
public struct ForegroundRun: Sendable {
    public var warehousePath: String
    public var secrets: SecretResolver
    public var logger: Logger
    public var maxConcurrent: Int
    public var onProgress: (@Sendable (RunProgress) -> Void)?

    public init(warehousePath: String, secrets: SecretResolver, logger: Logger, maxConcurrent: Int = 4,
                onProgress: (@Sendable (RunProgress) -> Void)? = nil) {
        self.warehousePath = warehousePath
        self.secrets = secrets
        self.logger = logger
        self.maxConcurrent = maxConcurrent
        self.onProgress = onProgress
    }

    /// Runs `jobs` and returns one report per job, in the order given.
    public func execute(_ jobs: [JobDefinition], trigger: RunTrigger, backfill: DayRange? = nil) async throws -> [RunReport] {
        let warehouse = try Warehouse.open(path: warehousePath)
        let client = HTTPClientFactory.makeClient()
        let runner = JobRunner(warehouse: warehouse, client: client, secrets: secrets, logger: logger,
                               onProgress: onProgress)
        let reports = await withTaskGroup(of: (Int, RunReport).self) { group in
            var results = [RunReport?](repeating: nil, count: jobs.count)
            var next = 0
            func startNext() {
                guard next < jobs.count else { return }
                let index = next
                let job = jobs[index]
                next += 1
                group.addTask { (index, await runLocked(job, runner: runner, warehouse: warehouse, trigger: trigger, backfill: backfill)) }
            }
            for _ in 0..<max(1, maxConcurrent) { startNext() }
            while let (index, report) = await group.next() {
                results[index] = report
                startNext()
            }
            return results.compactMap { $0 }
        }
        try? await client.shutdown()
        await warehouse.close()
        return reports
    }

    private func runLocked(_ job: JobDefinition, runner: JobRunner, warehouse: Warehouse, trigger: RunTrigger,
                           backfill: DayRange?) async -> RunReport {
        let lock: JobLock
        do {
            guard let acquired = try JobLock.tryAcquire(job: job.name, warehouse: warehousePath) else {
                return RunReport(job: job.name, runID: nil, trigger: trigger, status: .failed,
                                 error: "job '\(job.name)' is already running in another process (the daemon?); not started")
            }
            lock = acquired
        } catch {
            return RunReport(job: job.name, runID: nil, trigger: trigger, status: .failed, error: "\(error)")
        }
        let abandoned = (try? await warehouse.markAbandonedRuns(job: job.name)) ?? 0
        if abandoned > 0 {
            logger.warning("marked runs left running by a stopped process as abandoned",
                           metadata: ["job.name": "\(job.name)", "run.abandoned": "\(abandoned)"])
        }
        let report = await runner.run(job, trigger: trigger, backfill: backfill)
        withExtendedLifetime(lock) {}
        return report
    }
}
