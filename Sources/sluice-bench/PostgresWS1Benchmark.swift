import Foundation
import SluiceCore
import SluiceEmulators
import SluiceDaemon

/// The WS1 benchmark against PostgreSQL: 1,000,000 rows × 20 columns of WS1 CSV served by the emulator over loopback,
/// loaded in snapshot mode through the real ForegroundRun/JobRunner path into a new schema; then `psql \copy` of the
/// same file into an empty table of 20 `TEXT` columns (what `sqlite3 .import` is for the SQLite figure). Alternating
/// rounds, `sync()` before every measured phase, medians reported.
struct PostgresWS1Benchmark {
    let options: BenchOptions

    func run() async throws {
        guard PostgresBench.isConfigured else { return PostgresBench.announceSkip("pg-ws1-csv") }
        let bench = try PostgresBench()
        let cleanup = try options.makeDirectory()
        defer { cleanup() }
        let (bytes, _) = try await BenchMeasure.seconds { try CSVFile.write(options) }
        print("PostgreSQL WS1 CSV benchmark: \(BenchMeasure.grouped(options.csvRows)) rows × \(options.columns) columns, "
            + "\(BenchMeasure.format(Double(bytes) / 1_048_576, 1)) MiB, server \(bench.location)")
        let rssBefore = BenchMeasure.currentRSSMiB() ?? 0
        var sluiceRounds: [Double] = [], copyRounds: [Double] = [], sluiceCPU: [Double] = []
        for round in 1...options.rounds {
            let schema = PostgresBench.schema("ws1")
            defer { try? bench.dropSchema(schema) }
            sync()
            let cpuBefore = BenchMeasure.cpuSeconds()
            let (report, seconds) = try await ingest(bench, schema: schema)
            sluiceCPU.append(BenchMeasure.cpuSeconds() - cpuBefore)
            sluiceRounds.append(seconds)

            let anchor = PostgresBench.schema("copy")
            defer { try? bench.dropSchema(anchor) }
            let columns = (1...options.columns).map { "c\($0) text" }.joined(separator: ", ")
            try bench.psql(["CREATE SCHEMA \"\(anchor)\"", "CREATE TABLE \"\(anchor)\".t (\(columns))", "CHECKPOINT"])
            try bench.psql(["CHECKPOINT"])
            sync()
            let (_, copySeconds) = try await BenchMeasure.seconds {
                try bench.psql(["\\copy \"\(anchor)\".t FROM '\(options.csvPath)' WITH (FORMAT csv, HEADER true)"])
            }
            copyRounds.append(copySeconds)
            let copied = Int(try bench.psql(["SELECT count(*) FROM \"\(anchor)\".t"])) ?? 0
            guard copied == options.csvRows else {
                throw BenchOptions.UsageError(description: "\\copy loaded \(copied) of \(options.csvRows) rows")
            }
            print("round \(round): sluice \(BenchMeasure.format(seconds)) s (\(report)); psql \\copy \(BenchMeasure.format(copySeconds)) s")
            try bench.psql(["CHECKPOINT"])
        }
        let sluice = BenchMeasure.median(sluiceRounds), copy = BenchMeasure.median(copyRounds)
        let peak = BenchMeasure.peakRSSMiB() ?? 0
        let rows = options.csvRows
        print("medians of \(options.rounds): sluice \(BenchMeasure.format(sluice)) s, psql \\copy \(BenchMeasure.format(copy)) s, "
            + "ratio \(BenchMeasure.format(copy / sluice))× the throughput; peak RSS \(BenchMeasure.format(peak, 1)) MiB")
        await BenchTable.shared.report("PostgreSQL, WS1 CSV ingest: \(BenchMeasure.grouped(rows)) rows × \(options.columns) "
            + "columns, snapshot mode (median of \(options.rounds) alternating rounds)", [
            BenchLine(name: "throughput (emulator → HTTP → CSV → COPY)", figure: BenchMeasure.rate(rows, sluice),
                      anchor: "psql \\copy " + BenchMeasure.rate(rows, copy), ratio: BenchMeasure.ratio(copy / sluice),
                      target: "≥ 0.8×"),
            BenchLine(name: "CPU time of the bench process (emulator included; the server's not)",
                      figure: BenchMeasure.format(BenchMeasure.median(sluiceCPU)) + " s", anchor: "", ratio: "", target: ""),
            BenchLine(name: "peak RSS of the whole bench process", figure: BenchMeasure.format(peak, 1) + " MiB",
                      anchor: "RSS before the run " + BenchMeasure.format(rssBefore, 1) + " MiB", ratio: "",
                      target: "< 100 MB"),
        ])
    }

    /// One run of a snapshot job against the emulators into `schema`; only the run is timed.
    private func ingest(_ bench: PostgresBench, schema: String) async throws -> (String, Double) {
        let secret = "bench-" + UUID().uuidString
        let ws1 = WS1Emulator(.init(clientID: "bench@tenant", clientSecret: secret))
        ws1.addDownload(modifiedAt: Date(), csv: .file(options.csvPath))
        return try await EmulatorServer.withRunning(ws1.storage, host: "127.0.0.2") { storageURL in
            ws1.setStorageURL(storageURL)
            return try await EmulatorServer.withRunning(ws1) { url in
                let job = JobDefinition(
                    name: "bench-ws1", file: "bench", schedule: .every(seconds: 3600),
                    target: TargetSettings(table: "ws1_devices", mode: .snapshot),
                    source: .ws1Intelligence(WS1Settings(apiBase: url, tokenURL: url + "/oauth/token",
                                                         reportID: "375c49a4-8af5-4e5e-96b4-d6b015828a33",
                                                         clientID: .env("BENCH_ID"), clientSecret: .env("BENCH_SECRET"))))
                let environment = ["BENCH_ID": "bench@tenant", "BENCH_SECRET": secret]
                let (report, seconds) = try await BenchMeasure.seconds {
                    try await bench.run(job, schema: schema, environment: environment)
                }
                guard report.rowsWritten == options.csvRows else {
                    throw BenchOptions.UsageError(description: "the run loaded \(report.rowsWritten) of \(options.csvRows) rows")
                }
                return (report.summaryLine, seconds)
            }
        }
    }
}
