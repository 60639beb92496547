import Foundation
import Logging
import SluiceCore
import SluiceDaemon
import SluiceEmulators

/// 1,000,000 rows × 20 columns of WS1 CSV, served by the emulator over loopback (storage on 127.0.0.2), loaded
/// in snapshot mode through the real ForegroundRun/JobRunner path; then `sqlite3 .import --csv` of the same file
/// into an empty table, and the CSV parser comparison.
struct WS1CSVBenchmark {
    let options: BenchOptions

    func run() async throws {
        let cleanup = try options.makeDirectory()
        defer { cleanup() }
        let (bytes, generateSeconds) = try await BenchMeasure.seconds { try CSVFile.write(options) }
        print("WS1 CSV benchmark: \(BenchMeasure.grouped(options.csvRows)) rows × \(options.columns) columns, "
            + "\(BenchMeasure.format(Double(bytes) / 1_048_576, 1)) MiB (generated in \(BenchMeasure.format(generateSeconds, 1)) s)")
        let rssBefore = BenchMeasure.currentRSSMiB() ?? 0

        let cpuBefore = BenchMeasure.cpuSeconds()
        let (report, sluiceSeconds) = try await BenchMeasure.seconds { try await ingest() }
        let sluiceCPU = BenchMeasure.cpuSeconds() - cpuBefore
        let peak = BenchMeasure.peakRSSMiB() ?? 0
        let sluiceRate = Double(options.csvRows) / sluiceSeconds
        print("sluice (emulator → HTTP → CSV → warehouse, snapshot mode): \(report)")
        print("  wall \(BenchMeasure.format(sluiceSeconds)) s, \(BenchMeasure.grouped(Int(sluiceRate))) rows/s, "
            + "peak RSS \(BenchMeasure.format(peak, 1)) MiB (RSS before the run \(BenchMeasure.format(rssBefore, 1)) MiB)")

        let childCPUBefore = BenchMeasure.cpuSeconds(children: true)
        let (imported, importSeconds) = try await BenchMeasure.seconds { try sqliteImport() }
        let importCPU = BenchMeasure.cpuSeconds(children: true) - childCPUBefore
        let importRate = Double(imported) / importSeconds
        print("sqlite3 .import --csv into an empty table: \(BenchMeasure.grouped(imported)) rows, "
            + "wall \(BenchMeasure.format(importSeconds)) s, \(BenchMeasure.grouped(Int(importRate))) rows/s")
        print("sluice / .import throughput: \(BenchMeasure.format(sluiceRate / importRate))×")
        await BenchTable.shared.report("WS1 CSV ingest: \(BenchMeasure.grouped(options.csvRows)) rows × \(options.columns) columns, snapshot mode", [
            BenchLine(name: "throughput (emulator → HTTP → CSV → warehouse)", figure: BenchMeasure.rate(options.csvRows, sluiceSeconds),
                      anchor: "sqlite3 .import " + BenchMeasure.rate(imported, importSeconds),
                      ratio: BenchMeasure.ratio(sluiceRate / importRate), target: "≥ 1.0×"),
            BenchLine(name: "CPU time (all threads, the emulator's included)", figure: BenchMeasure.format(sluiceCPU) + " s",
                      anchor: "sqlite3 .import " + BenchMeasure.format(importCPU) + " s",
                      ratio: BenchMeasure.ratio(sluiceCPU / importCPU) + " CPU", target: ""),
            BenchLine(name: "peak RSS of the whole bench process", figure: BenchMeasure.format(peak, 1) + " MiB",
                      anchor: "RSS before the run " + BenchMeasure.format(rssBefore, 1) + " MiB", ratio: "",
                      target: "< 100 MB"),
        ])

        // CSV.swift reads about 12 MiB/s here: beyond a million rows the comparison alone would take minutes.
        guard options.csvRows <= 1_000_000 else { return print("CSV parser comparison skipped above 1,000,000 rows") }
        print("CSV parsers on the same bytes:")
        try ParserComparison(options: options).compare()
    }

    /// One `sluice run` of a snapshot job against the emulators; returns the run's summary line.
    private func ingest() async throws -> String {
        let secret = "bench-" + UUID().uuidString
        let ws1 = WS1Emulator(.init(clientID: "bench@tenant", clientSecret: secret))
        ws1.addDownload(modifiedAt: Date(), csv: .file(options.csvPath))
        let warehouse = options.directory + "/warehouse.db"
        return try await EmulatorServer.withRunning(ws1.storage, host: "127.0.0.2") { storageURL in
            ws1.setStorageURL(storageURL)
            return try await EmulatorServer.withRunning(ws1) { url in
                let job = JobDefinition(
                    name: "bench-ws1", file: "bench", schedule: .every(seconds: 3600),
                    target: TargetSettings(table: "ws1_devices", mode: .snapshot),
                    source: .ws1Intelligence(WS1Settings(apiBase: url, tokenURL: url + "/oauth/token",
                                                         reportID: "375c49a4-8af5-4e5e-96b4-d6b015828a33",
                                                         clientID: .env("BENCH_ID"), clientSecret: .env("BENCH_SECRET"))))
                let logger = Logger(label: "sluice-bench") { _ in SwiftLogNoOpLogHandler() }
                let run = ForegroundRun(warehousePath: warehouse,
                                        secrets: SecretResolver(environment: ["BENCH_ID": "bench@tenant", "BENCH_SECRET": secret]),
                                        logger: logger)
                let reports = try await run.execute([job], trigger: .manual)
                guard let report = reports.first, report.status == .succeeded, report.rowsWritten == options.csvRows else {
                    throw BenchOptions.UsageError(description: "the run did not load every row: \(reports.map(\.summaryLine))")
                }
                return report.summaryLine
            }
        }
    }

    /// `sqlite3 import.db ".import --csv FILE t"`; returns the rows imported.
    private func sqliteImport() throws -> Int {
        let database = options.directory + "/import.db"
        try? FileManager.default.removeItem(atPath: database)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sqlite3", database, ".import --csv \(options.csvPath) t", "SELECT count(*) FROM t;"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let count = Int(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw BenchOptions.UsageError(description: "sqlite3 .import failed (exit \(process.terminationStatus))")
        }
        return count
    }
}
