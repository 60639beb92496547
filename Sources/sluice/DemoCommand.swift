import ArgumentParser
import Foundation
import SluiceCore
import SluiceDaemon
import SluiceEmulators
import SluiceWarehouse

/// `sluice demo`: start the emulators, run every demo job into the warehouse, print a summary; with `--serve`,
/// keep the emulators and a daemon on the demo jobs running until Ctrl-C.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start the built-in API emulators, run every demo job, and print what landed in the warehouse.",
        discussion: """
        Needs no network and no credentials: the emulators listen on loopback ports.
        Without --serve: runs every demo job once into --warehouse (default ./warehouse.db), prints the rows per \
        table and sqlite3 queries to try, and exits (0, or 1 when a job failed).
        With --serve: writes the demo jobs (emulator addresses filled in), their secret files and warehouse.db into \
        --folder (default ./sluice-demo), then keeps the emulators and a daemon on those jobs running until Ctrl-C \
        (exit 0). From a second terminal, `sluice status --jobs sluice-demo/jobs --warehouse \
        sluice-demo/warehouse.db` and `sluice run --jobs sluice-demo/jobs --warehouse sluice-demo/warehouse.db` \
        work on the same folder.
        """)

    @Flag(help: "Keep the emulators and a daemon on the demo jobs running until Ctrl-C.")
    var serve = false

    @Option(help: "With --serve: the folder for jobs/, secrets/ and warehouse.db.")
    var folder: String = "./sluice-demo"

    @Option(help: "With --serve: serve /metrics on HOST:PORT (port 0 picks a free one).")
    var metrics: String = "127.0.0.1:9464"

    @OptionGroup var warehouseOption: WarehouseOption
    @OptionGroup var logOptions: LogOptions

    func validate() throws {
        guard MetricsServer.Address(parsing: metrics) != nil else {
            throw ValidationError("--metrics must be HOST:PORT, e.g. 127.0.0.1:9464 or 127.0.0.1:0")
        }
    }

    func run() async throws {
        if serve { try await runServing() } else { try await runOnce() }
    }

    /// Runs every demo job once in a temporary folder and prints what landed in the warehouse.
    private func runOnce() async throws {
        let signals = await SignalCancellation()
        let logger = CommandSupport.bootstrapLogging(logOptions)
        let parts = DemoPart.all()
        let folder = DemoFolder(NSTemporaryDirectory() + "sluice-demo-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(atPath: folder.absolutePath) }
        let progress = TerminalProgress()
        let outcome = try await EmulatorServer.withRunning(parts.flatMap(\.emulators)) { urls in
            try folder.write(parts, urls: urls)
            Self.printEmulators(parts, urls: urls)
            let jobs = try CommandSupport.loadJobs(directory: folder.jobs, selecting: []).jobs
            let outcome = try await CommandSupport.runInForeground(jobs, trigger: .manual, warehouse: warehouseOption,
                                                                   logger: logger, signals: signals, progress: progress)
            progress.finish()
            return outcome
        }
        for report in outcome.reports { print(report.summaryLine) }
        if let signal = outcome.signal { throw ExitCode(128 + signal) }
        let warehouse = try SQLiteWarehouse.open(path: warehouseOption.path)
        let counts = try await warehouse.dataTableRowCounts()
        await warehouse.close()
        print("\nwarehouse \(warehouseOption.path):")
        for (table, count) in counts { print("  \(table): \(CountText.format(count, "row"))") }
        print("\nTry:")
        for query in DemoQueries.all(parts) { print("  " + DemoQueries.command(query, warehouse: warehouseOption.path)) }
        print("\nTo keep the emulators and a daemon running (and look into jobs/ and secrets/): sluice demo --serve")
        if outcome.reports.contains(where: { $0.status == .failed || $0.status == .cancelled }) { throw SluiceExit.failedJob }
    }

    /// Writes the demo folder and serves: emulators plus a daemon on the demo jobs, until SIGINT or SIGTERM.
    private func runServing() async throws {
        EarlySignals.install()
        let address = MetricsServer.Address(parsing: metrics)!
        if let problem = address.bindProblem() { throw CommandSupport.usageError(problem) }
        let logger = CommandSupport.bootstrapLogging(logOptions)
        let folder = DemoFolder(folder)
        var warehouseOption = warehouseOption
        if warehouseOption.warehouse == nil { warehouseOption.warehouse = folder.path + "/warehouse.db" }
        let warehousePath = warehouseOption.path
        let parts = DemoPart.all()
        try await EmulatorServer.withRunning(parts.flatMap(\.emulators)) { urls in
            try folder.write(parts, urls: urls)
            Self.printEmulators(parts, urls: urls)
            let jobs = try CommandSupport.loadJobs(directory: folder.jobs, selecting: []).jobs
            let warehouse = try warehouseOption.open()
            let resources = DaemonResources(warehouse: warehouse, locks: FileJobLocks(warehousePath: warehousePath),
                                            secrets: SecretResolver())
            let shown = Self.serveText(folder: folder, warehouse: warehousePath, queries: DemoQueries.all(parts))
            let configuration = DaemonConfiguration(
                jobsDirectory: folder.jobs, metricsAddress: address,
                onMetricsListening: { port in
                    let bound = MetricsServer.Address(host: address.host, port: port)
                    StandardOutputText.write(shown(bound))
                })
            try await CommandSupport.runDaemon(configuration, jobs: jobs, resources: resources, logger: logger)
        }
    }

    private static func printEmulators(_ parts: [DemoPart], urls: [String]) {
        var offset = 0
        for part in parts {
            let mine = urls[offset..<(offset + part.emulators.count)]
            offset += part.emulators.count
            let noun = mine.count == 1 ? "emulator" : "emulators"
            StandardOutputText.write("\(noun) for \(part.jobFiles.map(\.name).joined(separator: ", ")): \(mine.joined(separator: " "))\n")
        }
    }

    /// What `--serve` prints once the metrics endpoint listens at the address it is given.
    private static func serveText(folder: DemoFolder, warehouse: String, queries: [String])
        -> @Sendable (MetricsServer.Address) -> String {
        let jobs = folder.jobs
        let folderPath = folder.path
        return { address in
            var text = """

            serving the demo until Ctrl-C; the jobs, their secret files and the warehouse are in \(folderPath)/
              metrics:      http://\(address)/metrics
              status page:  http://\(address)/  (and /api/status for scripts)

            From a second terminal:
              sluice status --jobs \(jobs) --warehouse \(warehouse)
              sluice run --jobs \(jobs) --warehouse \(warehouse) demo-feed

            """
            for query in queries { text += "  " + DemoQueries.command(query, warehouse: warehouse) + "\n" }
            return text
        }
    }
}
