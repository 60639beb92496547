import Foundation
import Logging
import SluiceCore
import SluiceDaemon
import SluiceWarehouse

/// Runs jobs through the real ForegroundRun/JobRunner path, as `sluice run` does, without log output.
enum BenchRun {
    /// Runs `job` once; fails unless it succeeded (or was unchanged when `allowUnchanged`).
    static func run(_ job: JobDefinition, warehouse: String, environment: [String: String],
                    allowUnchanged: Bool = false) async throws -> RunReport {
        let logger = Logger(label: "sluice-bench") { _ in SwiftLogNoOpLogHandler() }
        let reports = try await ForegroundRun.execute([job], trigger: .manual, opening: { try SQLiteWarehouse.open(path: warehouse) },
                                                      lockPath: warehouse, secrets: SecretResolver(environment: environment),
                                                      logger: logger)
        guard let report = reports.first,
              report.status == .succeeded || (allowUnchanged && report.status == .unchanged) else {
            throw BenchOptions.UsageError(description: "the run failed: \(reports.map(\.summaryLine))")
        }
        return report
    }

    /// `path` when given (`--sluice`), else the `sluice` executable built next to this one
    /// (`swift build -c release --product sluice`).
    static func sluiceExecutable(_ path: String? = nil) throws -> String {
        if let path {
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw BenchOptions.UsageError(description: "--sluice \(path) is not an executable file")
            }
            return path
        }
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let path = me.deletingLastPathComponent().appendingPathComponent("sluice").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw BenchOptions.UsageError(description: "no sluice binary at \(path): run `swift build -c release --product sluice` first")
        }
        return path
    }

    /// Runs `sluice arguments…` to completion; returns the wall time and the exit status.
    static func timeSluice(_ arguments: [String], executable: String? = nil) throws -> (seconds: Double, status: Int32) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try sluiceExecutable(executable))
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let start = ContinuousClock.now
        try process.run()
        process.waitUntilExit()
        return (BenchMeasure.seconds(since: start), process.terminationStatus)
    }
}
