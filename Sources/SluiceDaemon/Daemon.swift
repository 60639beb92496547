import Logging
import ServiceLifecycle
import SluiceCore
import SluiceHTTP
import SluiceWarehouse

/// What `sluice daemon` was asked to do.
public struct DaemonConfiguration: Sendable {
    public var jobsDirectory: String
    public var warehousePath: String
    public var metricsAddress: MetricsServer.Address?
    /// Where to publish a read-only copy after each successful run.
    public var publishPath: String?
    public var maxConcurrent: Int
    /// How long graceful shutdown may take before the runs still in flight are cancelled outright.
    public var shutdownTimeout: Duration
    /// Called with the metrics port once the endpoint listens (port 0 picks one).
    public var onMetricsListening: @Sendable (Int) -> Void

    public init(jobsDirectory: String, warehousePath: String, metricsAddress: MetricsServer.Address? = nil,
                publishPath: String? = nil, maxConcurrent: Int = 4, shutdownTimeout: Duration = .seconds(25),
                onMetricsListening: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.jobsDirectory = jobsDirectory
        self.warehousePath = warehousePath
        self.metricsAddress = metricsAddress
        self.publishPath = publishPath
        self.maxConcurrent = maxConcurrent
        self.shutdownTimeout = shutdownTimeout
        self.onMetricsListening = onMetricsListening
    }
}

/// `sluice daemon`: the scheduler, the metrics endpoint and the systemd notifier as one service group.
///
/// Signals: SIGTERM and SIGINT shut down gracefully (no new runs; runs in flight are cancelled after their
/// current page commits and recorded `cancelled`); SIGHUP reloads the job files. The function returns
/// when the group has stopped; it throws only when start-up fails (the warehouse cannot be opened) or a
/// service fails (the metrics port is taken). A failed run never stops it.
public enum Daemon {
    public static func run(_ configuration: DaemonConfiguration, jobs: [JobDefinition], secrets: SecretResolver,
                           logger: Logger) async throws {
        let warehouse = try Warehouse.open(path: configuration.warehousePath)
        await markAbandonedRuns(jobs: jobs.map(\.name), warehouse: warehouse,
                                warehousePath: configuration.warehousePath, logger: logger)
        let history = await loadHistory(jobs.map(\.name), warehouse: warehouse)
        let client = HTTPClientFactory.makeClient()
        let metrics = DaemonMetrics()
        let publisher = configuration.publishPath.map {
            Publisher(warehousePath: configuration.warehousePath, destination: $0, logger: logger)
        }
        let runner = JobRunner(warehouse: warehouse, client: client, secrets: secrets, logger: logger)
        let execute = ScheduledRun(runner: runner, warehouse: warehouse, warehousePath: configuration.warehousePath,
                                   metrics: metrics, publisher: publisher, logger: logger)
        let notifier = SystemdNotifier()
        let scheduler = SchedulerService(
            jobs: jobs, history: history, maxConcurrent: configuration.maxConcurrent,
            execute: { await execute($0) },
            reloader: JobReloader(directory: configuration.jobsDirectory, logger: logger),
            loadHistory: { await loadHistory($0, warehouse: warehouse) },
            notifier: notifier, logger: logger)

        // Graceful shutdown runs in reverse order: the notifier says STOPPING=1 first, the scheduler drains
        // its runs next, and the metrics endpoint answers until the very end.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let address = configuration.metricsAddress {
            var quiet = logger
            quiet.logLevel = .warning
            services.append(.init(service: MetricsServer.service(address: address, metrics: metrics, logger: quiet,
                                                                 onListening: configuration.onMetricsListening),
                                  serviceName: "metrics"))
        }
        services.append(.init(service: scheduler, serviceName: "scheduler"))
        services.append(.init(service: NotifierService(notifier: notifier), serviceName: "notifier"))
        var groupConfiguration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint],
                                                           logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = configuration.shutdownTimeout
        logger.info("daemon started", metadata: [
            "jobs.count": "\(jobs.count)", "db.path": "\(configuration.warehousePath)",
            "metrics.address": "\(configuration.metricsAddress.map(\.description) ?? "off")",
        ])
        let outcome: Result<Void, any Error>
        do {
            let group = ServiceGroup(configuration: groupConfiguration)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                tasks.addTask {
                    if await EarlySignals.handOver() {
                        logger.info("stop requested during start-up; shutting down")
                        await group.triggerGracefulShutdown()
                    }
                }
                try await tasks.waitForAll()
            }
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        try? await client.shutdown()
        await warehouse.close()
        logger.info("daemon stopped")
        try outcome.get()
    }

    /// Marks runs left `running` by a crashed process as `abandoned`, for the current jobs and for jobs whose
    /// files are gone. Each job's lock is taken first: a job some other process holds is really running.
    static func markAbandonedRuns(jobs: [String], warehouse: Warehouse, warehousePath: String, logger: Logger) async {
        let recorded = (try? await warehouse.jobsWithRuns()) ?? []
        for name in Set(jobs).union(recorded).sorted() {
            guard let lock = try? JobLock.tryAcquire(job: name, warehouse: warehousePath) else { continue }
            let count = (try? await warehouse.markAbandonedRuns(job: name)) ?? 0
            if count > 0 {
                logger.warning("marked runs left running by a stopped process as abandoned",
                               metadata: ["job.name": "\(name)", "run.abandoned": "\(count)"])
            }
            withExtendedLifetime(lock) {}
        }
    }

    /// What the warehouse knows of each job: when it last fired on schedule, failures since its last success.
    static func loadHistory(_ names: [String], warehouse: Warehouse) async -> [String: Scheduler.History] {
        var result: [String: Scheduler.History] = [:]
        for name in names {
            let runs = (try? await warehouse.recentRuns(job: name, limit: 50)) ?? []
            result[name] = Scheduler.History(lastFire: RunHistory.lastCompletedFire(runs),
                                             consecutiveFailures: RunHistory.consecutiveFailures(runs))
        }
        return result
    }
}

/// Rules over a job's recorded runs, shared by the daemon and `sluice status`.
public enum RunHistory {
    /// Failed runs since the last `succeeded` or `unchanged` one; `runs` newest first. Cancelled, abandoned
    /// and running runs neither count nor break the streak: they say nothing about whether the job works.
    public static func consecutiveFailures(_ runs: [RunRecord]) -> Int {
        var count = 0
        for run in runs {
            switch run.status {
            case .failed: count += 1
            case .succeeded, .unchanged: return count
            case .cancelled, .abandoned, .running: continue
            }
        }
        return count
    }

    /// When the newest scheduled run that ran to its end (succeeded, unchanged or failed) started; `runs`
    /// newest first. A run cut off by shutdown or a crash does not count, so after a restart the job fires
    /// at once instead of waiting a whole interval for data it never got.
    public static func lastCompletedFire(_ runs: [RunRecord]) -> Double? {
        let completed: Set<RunStatus> = [.succeeded, .unchanged, .failed]
        return runs.first { $0.trigger == .schedule && completed.contains($0.status) }
            .flatMap { Timestamps.epochSeconds($0.startedAt) }
    }
}
