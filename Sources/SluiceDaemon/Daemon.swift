package import Logging
import ServiceLifecycle
package import SluiceCore
import SluiceSources
import UnixSignals

/// What `sluice daemon` was asked to do.
package struct DaemonConfiguration: Sendable {
    package var jobsDirectory: String
    package var metricsAddress: MetricsServer.Address?
    package var maxConcurrent: Int
    /// How long graceful shutdown may take before the runs still in flight are cancelled outright.
    package var shutdownTimeout: Duration
    /// Called with the metrics port once the endpoint listens (port 0 picks one).
    package var onMetricsListening: @Sendable (Int) -> Void
    /// How far ahead of a gap's deadline every run warns about it (`--gap-warning`).
    package var gapWarningSeconds: Double
    /// The warehouse as `sluice status --json` names it, for the status page's `/api/status`.
    package var warehouseName: String
    /// "sluice 0.10.0", in the status page's footer.
    package var product: String

    package init(jobsDirectory: String, metricsAddress: MetricsServer.Address? = nil, maxConcurrent: Int = 4,
                shutdownTimeout: Duration = .seconds(25), onMetricsListening: @escaping @Sendable (Int) -> Void = { _ in },
                gapWarningSeconds: Double = CompletenessMonitor.defaultWarningSeconds, warehouseName: String = "",
                product: String = "sluice") {
        self.jobsDirectory = jobsDirectory
        self.metricsAddress = metricsAddress
        self.maxConcurrent = maxConcurrent
        self.shutdownTimeout = shutdownTimeout
        self.onMetricsListening = onMetricsListening
        self.gapWarningSeconds = gapWarningSeconds
        self.warehouseName = warehouseName
        self.product = product
    }
}

/// What the daemon works on: the warehouse (already open), its job locks, and what publishes copies of it.
package struct DaemonResources: Sendable {
    package var warehouse: any Warehouse
    package var locks: any JobLocks
    package var publisher: (any WarehousePublisher)?
    package var secrets: SecretResolver
    /// A connection of its own for the status page, so a page never waits behind a commit; nil: the warehouse.
    package var reader: (any Warehouse)?

    package init(warehouse: any Warehouse, locks: any JobLocks, publisher: (any WarehousePublisher)? = nil,
                secrets: SecretResolver, reader: (any Warehouse)? = nil) {
        self.warehouse = warehouse
        self.locks = locks
        self.publisher = publisher
        self.secrets = secrets
        self.reader = reader
    }
}

/// `sluice daemon`: the scheduler, the metrics endpoint and the systemd notifier as one service group.
///
/// Signals: SIGTERM and SIGINT shut down gracefully (no new runs; runs in flight are cancelled after their
/// current page commits and recorded `cancelled`); SIGHUP reloads the job files. The function returns
/// when the group has stopped; it throws only when a service fails (the metrics port is taken). A failed run
/// never stops it.
package enum Daemon {
    /// `brokenFiles`: the job files that failed to load at start, shown by the status page and `/api/status`
    /// until a reload fixes them.
    package static func run(_ configuration: DaemonConfiguration, jobs: [JobDefinition], brokenFiles: [JobFileError] = [],
                           resources: DaemonResources, logger: Logger) async throws {
        let metrics = RunMetrics()
        metrics.setTenants(of: jobs)
        let state = DaemonState(jobs: jobs, brokenFiles: brokenFiles)
        try await SourceRuntime.with(secrets: resources.secrets, observer: metrics) { sources in
            let runner = JobRunner(warehouse: resources.warehouse, sources: sources, locks: resources.locks, logger: logger,
                                   metrics: metrics, gapWarningSeconds: configuration.gapWarningSeconds,
                                   onProgress: { state.record($0) })
            let monitor = CompletenessMonitor(warehouse: resources.warehouse, metrics: metrics, logger: logger,
                                              warningSeconds: configuration.gapWarningSeconds)
            await markAbandonedRuns(jobs: jobs.map(\.name), runner: runner, warehouse: resources.warehouse, logger: logger)
            let history = await loadHistory(jobs.map(\.name), warehouse: resources.warehouse, logger: logger)
            let execute = ScheduledRun(runner: runner, warehouse: resources.warehouse, metrics: metrics,
                                       publisher: resources.publisher, logger: logger)
            let notifier = SystemdNotifier()
            let scheduler = SchedulerService(
                jobs: jobs, history: history, maxConcurrent: configuration.maxConcurrent,
                execute: { job, tick in
                    let status = await execute(job, tick: tick)
                    state.runEnded(job.name)
                    return status
                },
                reloader: JobReloader(directory: configuration.jobsDirectory, logger: logger),
                loadHistory: { await loadHistory($0, warehouse: resources.warehouse, countingRunning: true, logger: logger) },
                notifier: notifier, logger: logger, clock: UTCClock(),
                refresh: { jobs in await monitor.refresh(jobs, now: WallClock.epochNow()) },
                onJobsChanged: { jobs, broken in
                    metrics.setTenants(of: jobs)
                    state.setJobs(jobs, brokenFiles: broken)
                },
                onIdle: { FreeMemory.release() })

            // Graceful shutdown runs in reverse order: the notifier says STOPPING=1 first, the scheduler drains
            // its runs next, and the metrics endpoint answers until the very end.
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
            if let address = configuration.metricsAddress {
                var quiet = logger
                quiet.logLevel = .warning
                let page = StatusPageServer(state: state, warehouse: resources.reader ?? resources.warehouse,
                                            warehouseName: configuration.warehouseName,
                                            warningSeconds: configuration.gapWarningSeconds,
                                            product: configuration.product, logger: logger)
                services.append(.init(service: MetricsServer.service(address: address, metrics: metrics, statusPage: page,
                                                                     logger: quiet,
                                                                     onListening: configuration.onMetricsListening),
                                      serviceName: "metrics"))
            }
            services.append(.init(service: scheduler, serviceName: "scheduler"))
            services.append(.init(service: NotifierService(notifier: notifier), serviceName: "notifier"))
            var groupConfiguration = ServiceGroupConfiguration(services: services,
                                                               gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            groupConfiguration.maximumGracefulShutdownDuration = configuration.shutdownTimeout
            logger.info("daemon started", metadata: [
                "jobs.count": "\(jobs.count)",
                "metrics.address": "\(configuration.metricsAddress.map(\.description) ?? "off")",
            ])
            defer { logger.info("daemon stopped") }
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
        }
    }

    /// Marks runs left `running` by a crashed process as `abandoned`, for the current jobs and for jobs whose
    /// files are gone. Each job's lock is taken first: a job some other process holds is really running.
    static func markAbandonedRuns(jobs: [String], runner: JobRunner, warehouse: any Warehouse, logger: Logger) async {
        var names = Set(jobs)
        do {
            names.formUnion(try await warehouse.jobsWithRuns())
        } catch {
            logger.error("could not list the jobs with runs: \(error)")
        }
        for name in names.sorted() {
            do {
                _ = try await runner.locks.withLock(job: name) { await runner.markAbandoned(name) }
            } catch {
                logger.error("could not take the job lock: \(error)", metadata: ["job.name": "\(name)"])
            }
        }
    }

    /// What the warehouse knows of each job: when it last fired on schedule, failures since its last success.
    ///
    /// `countingRunning`: a run still `running` counts as a fire too. That is right after a fire was skipped
    /// because another process holds the job (its run is live, and the next fire follows it); at start-up a
    /// `running` run is one a dead process left, and the job should fire at once.
    static func loadHistory(_ names: [String], warehouse: any Warehouse, countingRunning: Bool = false,
                            logger: Logger) async -> [String: Scheduler.History] {
        var result: [String: Scheduler.History] = [:]
        for name in names {
            let runs: [RunRecord]
            do {
                runs = try await warehouse.recentRuns(job: name, limit: 50)
            } catch {
                // The job is scheduled as if it never ran: it fires now, which is what a new job does.
                logger.error("could not read the job's runs; scheduling it as new: \(error)", metadata: ["job.name": "\(name)"])
                runs = []
            }
            let fire = countingRunning ? RunHistory.lastFire(runs) : RunHistory.lastCompletedFire(runs)
            result[name] = Scheduler.History(lastFire: fire.map(UTCClock.Instant.init(epochSeconds:)),
                                             consecutiveFailures: RunHistory.consecutiveFailures(runs))
        }
        return result
    }
}

/// Rules over a job's recorded runs, shared by the daemon and `sluice status`.
package enum RunHistory {
    /// Failed runs since the last `succeeded` or `unchanged` one; `runs` newest first. Cancelled, abandoned
    /// and running runs neither count nor break the streak: they say nothing about whether the job works.
    package static func consecutiveFailures(_ runs: [RunRecord]) -> Int {
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
    package static func lastCompletedFire(_ runs: [RunRecord]) -> Double? {
        lastFire(runs, counting: [.succeeded, .unchanged, .failed])
    }

    /// When the newest scheduled run that completed or is still running started; `runs` newest first.
    package static func lastFire(_ runs: [RunRecord]) -> Double? {
        lastFire(runs, counting: [.succeeded, .unchanged, .failed, .running])
    }

    /// Whether a scheduled run that started at or after `tick` (epoch seconds) and ran to its end is among
    /// `runs`: another process sharing the warehouse has served that tick, and firing again would run the job
    /// twice for one tick. A run cut off by shutdown or a crash served nothing.
    package static func served(tick: Double, _ runs: [RunRecord]) -> Bool {
        lastCompletedFire(runs).map { $0 >= tick } ?? false
    }

    private static func lastFire(_ runs: [RunRecord], counting: Set<RunStatus>) -> Double? {
        runs.first { $0.trigger == .schedule && counting.contains($0.status) }
            .flatMap { Timestamps.epochSeconds($0.startedAt) }
    }
}
