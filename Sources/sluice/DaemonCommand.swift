import ArgumentParser
import SluiceCore
import SluiceDaemon
import SluiceWarehouse
import Logging

/// `sluice daemon`: run every job on its schedule until SIGTERM/SIGINT; SIGHUP reloads the job files.
struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Run every job on its schedule until stopped (SIGTERM/SIGINT); SIGHUP reloads the job files.",
        discussion: """
        Under systemd (Type=notify) it reports READY=1, STATUS= and WATCHDOG=1 on $NOTIFY_SOCKET.
        A failed run never stops the daemon: the job is retried at its next scheduled time.
        A job file with problems is logged (file, line, cause) and its job does not run until the file is fixed \
        and reloaded; the other jobs run. An --metrics address already in use is a usage error (exit 2).
        """)

    @OptionGroup var jobsOption: JobsOption
    @OptionGroup var warehouseOption: WarehouseOption
    @OptionGroup var logOptions: LogOptions

    @Option(name: .long, help: "Serve /metrics (Prometheus) and /healthz on HOST:PORT, e.g. 127.0.0.1:9464.")
    var metrics: String?

    @Option(name: .long, help: "After each successful run, write a read-only copy of the warehouse to PATH.")
    var publish: String?

    @Option(name: .long, help: "How many jobs may run at the same time.")
    var maxConcurrent: Int = 4

    @Option(name: .long, help: "Seconds a graceful shutdown may take before runs are cut off.")
    var shutdownTimeout: Int = 25

    @Option(name: .long, help: "Warn on every run about gaps the API forgets within this long (e.g. 7d, 36h).")
    var gapWarning: String = "7d"

    func validate() throws {
        if let metrics, MetricsServer.Address(parsing: metrics) == nil {
            throw ValidationError("--metrics must be HOST:PORT, e.g. 127.0.0.1:9464 or [::1]:9464")
        }
        guard maxConcurrent >= 1 else { throw ValidationError("--max-concurrent must be at least 1") }
        guard shutdownTimeout >= 1 else { throw ValidationError("--shutdown-timeout must be at least 1 second") }
        guard DurationText.seconds(gapWarning) != nil else {
            throw ValidationError("--gap-warning must be a duration such as 7d, 36h or 90m, got '\(gapWarning)'")
        }
        if publish != nil, warehouseOption.isPostgres {
            throw ValidationError("--publish writes a read-only copy of a SQLite warehouse file; a PostgreSQL warehouse "
                + "needs none: point Power BI at the database itself (or at a read replica), see the README")
        }
        if let publish, let conflict = FileSafety.publishConflict(publish: publish, warehouse: warehouseOption.path) {
            throw ValidationError("\(conflict); publishing there would overwrite the live warehouse with its copy. "
                + "Give --publish a path on the share, e.g. /srv/share/sluice/warehouse.db")
        }
    }

    func run() async throws {
        EarlySignals.install()
        if let problem = metrics.flatMap(MetricsServer.Address.init(parsing:))?.bindProblem() {
            throw CommandSupport.usageError(problem)
        }
        let logger = CommandSupport.bootstrapLogging(logOptions)
        let selection = try CommandSupport.loadJobs(directory: jobsOption.path, selecting: [],
                                                    consequence: "their jobs do not run until fixed (reload with SIGHUP)")
        let jobs = selection.jobs
        if !warehouseOption.isPostgres, let warning = FileSafety.folderWarning(forWarehouse: warehouseOption.path) {
            logger.warning("\(warning)")
        }
        if let address = metrics.flatMap(MetricsServer.Address.init(parsing:)), !address.isLoopback {
            logger.warning("""
                --metrics \(address) listens beyond this machine: anyone who can reach it reads job names, run results \
                and errors. Bind it to 127.0.0.1 and put a reverse proxy with authentication in front (README: Metrics)
                """)
        }
        let configuration = DaemonConfiguration(
            jobsDirectory: jobsOption.path, metricsAddress: metrics.flatMap(MetricsServer.Address.init(parsing:)),
            maxConcurrent: maxConcurrent, shutdownTimeout: .seconds(shutdownTimeout),
            onMetricsListening: { port in
                logger.info("metrics endpoint listening", metadata: ["metrics.port": "\(port)"])
            },
            gapWarningSeconds: DurationText.seconds(gapWarning) ?? CompletenessMonitor.defaultWarningSeconds,
            warehouseName: warehouseOption.path, product: "sluice \(Version.number)")
        let (warehouse, locks) = try await warehouseOption.openWithLocks()
        // The status page reads through a connection of its own (WAL: readers never wait for the writer).
        let reader = metrics == nil ? nil : await warehouseOption.openReaderIfPossible()
        let resources = DaemonResources(
            warehouse: warehouse, locks: locks,
            publisher: publish.map { SQLitePublisher(warehousePath: warehouseOption.path, destination: $0, logger: logger) },
            secrets: SecretResolver(), reader: reader)
        do {
            try await CommandSupport.runDaemon(configuration, jobs: jobs, brokenFiles: selection.skipped, resources: resources,
                                               logger: logger)
            await reader?.close()
        } catch {
            await reader?.close()
            throw error
        }
    }
}
