import ArgumentParser
import Foundation
import SluiceCore
import SluiceDaemon
import SluiceEmulators
import SluiceWarehouse

/// `sluice demo`: start the emulators, run every demo job into the warehouse, print a summary.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start the built-in API emulators, run every demo job, and print what landed in the warehouse.")

    @OptionGroup var warehouseOption: WarehouseOption
    @OptionGroup var logOptions: LogOptions

    func run() async throws {
        let logger = CommandSupport.bootstrapLogging(logOptions)
        let parts = DemoPart.all()
        let folder = NSTemporaryDirectory() + "sluice-demo-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }

        let emulators = parts.flatMap(\.emulators)
        let reports = try await EmulatorServer.withRunning(emulators) { urls in
            var environment: [String: String] = [:]
            var offset = 0
            for part in parts {
                let mine = Array(urls[offset..<(offset + part.emulators.count)])
                offset += part.emulators.count
                let values = part.placeholders(mine)
                for file in part.jobFiles {
                    var text = file.template
                    for (key, value) in values { text = text.replacingAll("@@\(key)@@", with: value) }
                    try text.write(toFile: folder + "/" + file.name, atomically: true, encoding: .utf8)
                }
                environment.merge(part.environment) { _, new in new }
                print("emulator(s) for \(part.jobFiles.map(\.name).joined(separator: ", ")): \(mine.joined(separator: " "))")
            }
            let jobs = try CommandSupport.loadJobs(directory: folder, selecting: [])
            let progress = TerminalProgress()
            let reports = try await ForegroundRun.execute(jobs, trigger: .manual, opening: warehouseOption.open,
                                                          lockPath: warehouseOption.path,
                                                          secrets: SecretResolver(environment: environment), logger: logger,
                                                          onProgress: { progress.show($0) })
            progress.finish()
            return reports
        }
        for report in reports { print(report.summaryLine) }
        let warehouse = try SQLiteWarehouse.open(path: warehouseOption.path)
        let counts = try await warehouse.dataTableRowCounts()
        await warehouse.close()
        print("\nwarehouse \(warehouseOption.path):")
        for (table, count) in counts { print("  \(table): \(count) rows") }
        print("\nTry:")
        print("  sqlite3 \(warehouseOption.path) \"SELECT job, status, rows_written, started_at FROM sluice_runs ORDER BY run_id DESC LIMIT 5;\"")
        for part in parts { print("  sqlite3 \(warehouseOption.path) \"\(part.exampleQuery)\"") }
        if reports.contains(where: { $0.status == .failed || $0.status == .cancelled }) { throw SluiceExit.failedJob }
    }
}
