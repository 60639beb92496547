package import Logging
package import SluiceCore
import SluiceSources

/// Runs a set of jobs once, in the foreground (`sluice run`, `sluice backfill`, `sluice demo`).
///
/// Each job runs under its lock (``JobRunner/runLocked(_:trigger:backfill:)``): a job already running in another
/// process (the daemon) is reported and skipped, and a run of it left `running` by a dead process is marked
/// `abandoned`. Jobs run concurrently, at most `maxConcurrent` at a time; the Citrix source's per-tenant gate
/// serialises jobs that share a tenant.
package struct ForegroundRun: Sendable {
    package var warehouse: any Warehouse
    package var locks: any JobLocks
    package var secrets: SecretResolver
    package var logger: Logger
    package var maxConcurrent: Int
    package var onProgress: (@Sendable (RunProgress) -> Void)?

    package init(warehouse: any Warehouse, locks: any JobLocks, secrets: SecretResolver, logger: Logger,
                maxConcurrent: Int = 4, onProgress: (@Sendable (RunProgress) -> Void)? = nil) {
        self.warehouse = warehouse
        self.locks = locks
        self.secrets = secrets
        self.logger = logger
        self.maxConcurrent = maxConcurrent
        self.onProgress = onProgress
    }

    /// Runs `jobs` and returns one report per job, in the order given.
    package func execute(_ jobs: [JobDefinition], trigger: RunTrigger, backfill: DayRange? = nil,
                        gapsOnly: Bool = false) async throws -> [RunReport] {
        try await SourceRuntime.with(secrets: secrets) { sources in
            let runner = JobRunner(warehouse: warehouse, sources: sources, locks: locks, logger: logger, onProgress: onProgress)
            return await withTaskGroup(of: (Int, RunReport).self) { group in
                var results = [RunReport?](repeating: nil, count: jobs.count)
                var next = 0
                func startNext() {
                    guard next < jobs.count else { return }
                    let index = next
                    let job = jobs[index]
                    next += 1
                    group.addTask {
                        let report = await runner.runLocked(job, trigger: trigger, backfill: backfill, gapsOnly: gapsOnly)
                            ?? RunReport(job: job.name, runID: nil, trigger: trigger, status: .failed,
                                         error: "job '\(job.name)' is already running in another process (the daemon?); not started",
                                         errorKind: .config)
                        return (index, report)
                    }
                }
                for _ in 0..<max(1, maxConcurrent) { startNext() }
                while let (index, report) = await group.next() {
                    results[index] = report
                    startNext()
                }
                return results.compactMap { $0 }
            }
        }
    }
}
