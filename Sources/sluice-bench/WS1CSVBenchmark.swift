import Foundation
import Logging
import SluiceCore
import SluiceDaemon
import SluiceWarehouse
import SluiceEmulators

/// 1,000,000 rows × 20 columns of WS1 CSV, served by the emulator over loopback (storage on 127.0.0.2), loaded
/// in snapshot mode through the real ForegroundRun/JobRunner path; then `sqlite3 .import --csv` of the same file
/// into an empty table. The CSV parser comparison is its own benchmark (`csv-parsers`).
struct WS1CSVBenchmark {
    let options: BenchOptions

    func run() async throws {
        let cleanup = try options.makeDirectory()
        defer { cleanup() }
        let (bytes, generateSeconds) = try await BenchMeasure.seconds { try CSVFile.write(options) }
        print("WS1 CSV benchmark: \(BenchMeasure.grouped(options.csvRows)) rows × \(options.columns) columns, "
            + "\(BenchMeasure.format(Double(bytes) / 1_048_576, 1)) MiB (generated in \(BenchMeasure.format(generateSeconds, 1)) s)")
        let rssBefore = BenchMeasure.currentRSSMiB() ?? 0

        // Alternating rounds, each phase starting after `sync()`: otherwise the kernel's write-back of one
        // phase's half a gigabyte lands in the next phase's time (that alone moved single runs by ±30%).
        var sluiceRounds: [(wall: Double, cpu: Double)] = []
        var importRounds: [(wall: Double, cpu: Double)] = []
        var imported = 0
        for round in 1...options.rounds {
            let (report, sluiceSeconds, sluiceCPU) = try await ingest()
            sluiceRounds.append((sluiceSeconds, sluiceCPU))
            sync()
            let childCPUBefore = BenchMeasure.cpuSeconds(children: true)
            let (_, importSeconds) = try await BenchMeasure.seconds { try sqlite(".import --csv \(options.csvPath) t") }
            importRounds.append((importSeconds, BenchMeasure.cpuSeconds(children: true) - childCPUBefore))
            let rows = try Int(sqlite("SELECT count(*) FROM t;")) ?? 0
            imported = rows
            print("round \(round): sluice \(BenchMeasure.format(sluiceSeconds)) s (\(report)); "
                + "sqlite3 .import \(BenchMeasure.format(importSeconds)) s, \(BenchMeasure.grouped(rows)) rows")
        }
        let sluiceSeconds = BenchMeasure.median(sluiceRounds.map(\.wall))
        let sluiceCPU = BenchMeasure.median(sluiceRounds.map(\.cpu))
        let importSeconds = BenchMeasure.median(importRounds.map(\.wall))
        let importCPU = BenchMeasure.median(importRounds.map(\.cpu))
        let peak = BenchMeasure.peakRSSMiB() ?? 0
        let sluiceRate = Double(options.csvRows) / sluiceSeconds
        let importRate = Double(imported) / importSeconds
        print("medians of \(options.rounds): sluice \(BenchMeasure.format(sluiceSeconds)) s, "
            + "\(BenchMeasure.grouped(Int(sluiceRate))) rows/s; sqlite3 .import \(BenchMeasure.format(importSeconds)) s, "
            + "\(BenchMeasure.grouped(Int(importRate))) rows/s; ratio \(BenchMeasure.format(sluiceRate / importRate))×; "
            + "peak RSS \(BenchMeasure.format(peak, 1)) MiB")
        await BenchTable.shared.report("WS1 CSV ingest: \(BenchMeasure.grouped(options.csvRows)) rows × \(options.columns) columns, "
            + "snapshot mode (median of \(options.rounds) alternating rounds)", [
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
    }

    /// One `sluice run` of a snapshot job against the emulators, into a new warehouse; returns the run's
    /// summary line, its wall time and the process's CPU time during it. Only the run is timed, from
    /// opening the warehouse to the end of its final checkpoint; the emulators start before the clock.
    private func ingest() async throws -> (String, Double, Double) {
        let secret = "bench-" + UUID().uuidString
        let ws1 = WS1Emulator(.init(clientID: "bench@tenant", clientSecret: secret))
        ws1.addDownload(modifiedAt: Date(), csv: .file(options.csvPath))
        let warehouse = options.directory + "/warehouse.db"
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: warehouse + suffix) }
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
                let secrets = SecretResolver(environment: ["BENCH_ID": "bench@tenant", "BENCH_SECRET": secret])
                sync()
                let cpuBefore = BenchMeasure.cpuSeconds()
                let (reports, seconds) = try await BenchMeasure.seconds {
                    try await ForegroundRun.execute([job], trigger: .manual, opening: { try SQLiteWarehouse.open(path: warehouse) },
                                                    lockPath: warehouse, secrets: secrets, logger: logger)
                }
                let cpu = BenchMeasure.cpuSeconds() - cpuBefore
                guard let report = reports.first, report.status == .succeeded, report.rowsWritten == options.csvRows else {
                    throw BenchOptions.UsageError(description: "the run did not load every row: \(reports.map(\.summaryLine))")
                }
                return (report.summaryLine, seconds, cpu)
            }
        }
    }

    /// Runs `sqlite3 import.db COMMAND` (a new file for `.import`); returns its trimmed output.
    private func sqlite(_ command: String) throws -> String {
        let database = options.directory + "/import.db"
        if command.hasPrefix(".import") { try? FileManager.default.removeItem(atPath: database) }
        return try BenchProcess.output("/usr/bin/env", ["sqlite3", database, command], what: "sqlite3 \(command)")
    }
}
