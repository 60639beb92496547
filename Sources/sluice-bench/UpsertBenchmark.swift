import CSQLite
import Foundation
import SluiceCore
import SluiceEmulators
import SluiceDaemon

/// Cursor-feed JSON rows (page size 1000) → warehouse in upsert mode: once into an empty table, then the same
/// rows again with the job's state deleted (every row a conflict, none changed), each against the raw
/// prepared-statement loop over the same values (``RawUpsertLoop``).
///
/// A warm-up run records every page the emulator renders; the measured runs get them replayed
/// (``Replay``, ReplayEmulator.swift), so the emulator's JSON rendering is not charged to Sluice. Reported: medians of
/// `--rounds` alternating rounds.
struct UpsertBenchmark {
    let options: BenchOptions

    /// The job both warehouses' upsert benchmarks run: the feed at `url`, pages of 1000, upserted by `id`.
    static func feedJob(url: String, table: String) -> JobDefinition {
        JobDefinition(
            name: "bench-feed", file: "bench", schedule: .every(seconds: 3600),
            target: TargetSettings(table: table, mode: .upsert, primaryKey: ["id"]),
            source: .cursorFeed(CursorFeedSettings(baseURL: url, dataset: "access-requests", token: .env("BENCH_TOKEN"),
                                                   pageSize: 1000)))
    }

    func run() async throws {
        let cleanup = try options.makeDirectory()
        defer { cleanup() }
        let rows = options.rows ?? 1_000_000
        let token = "bench-" + UUID().uuidString
        let feed = CursorFeedEmulator(.init(rowCount: rows, expectedToken: token))
        let cache = ReplayCache()
        let warehouse = options.directory + "/upsert.db"
        let table = "bench_feed"
        var rounds: [(first: Double, second: Double, rawFirst: Double, rawSecond: Double)] = []
        try await EmulatorServer.withRunning(WrappedEmulator(inner: feed, middleware: Replay(cache: cache))) { url in
            let job = Self.feedJob(url: url, table: table)
            let environment = ["BENCH_TOKEN": token]
            let (_, warmSeconds) = try await BenchMeasure.seconds {
                try await BenchRun.run(job, warehouse: options.directory + "/warm-up.db", environment: environment)
            }
            let size = cache.size
            print("warm-up run (emulator rendering, not measured): \(BenchMeasure.format(warmSeconds)) s, "
                + "\(size.responses) pages, \(BenchMeasure.format(Double(size.bytes) / 1_048_576, 1)) MiB of JSON recorded")
            for round in 1...options.rounds {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: warehouse + suffix) }
                sync()
                let cpuBefore = BenchMeasure.cpuSeconds()
                let (firstReport, first) = try await BenchMeasure.seconds {
                    try await BenchRun.run(job, warehouse: warehouse, environment: environment)
                }
                guard firstReport.rowsWritten == rows else {
                    throw BenchOptions.UsageError(description: "first pass wrote \(firstReport.rowsWritten) of \(rows) rows")
                }
                let firstCPU = BenchMeasure.cpuSeconds() - cpuBefore
                try Self.forgetState(warehouse, job: job.name)
                sync()
                let secondCPUBefore = BenchMeasure.cpuSeconds()
                let (secondReport, second) = try await BenchMeasure.seconds {
                    try await BenchRun.run(job, warehouse: warehouse, environment: environment, allowUnchanged: true)
                }
                let secondCPU = BenchMeasure.cpuSeconds() - secondCPUBefore
                let rawPath = options.directory + "/raw.db"
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: rawPath + suffix) }
                let loop = RawUpsertLoop(sourcePath: warehouse, table: table, targetPath: rawPath)
                sync()
                let rawFirst = try loop.pass()
                sync()
                let rawSecond = try loop.pass()
                print("round \(round): sluice \(BenchMeasure.format(first)) s then \(BenchMeasure.format(second)) s "
                    + "(CPU \(BenchMeasure.format(firstCPU)) s and \(BenchMeasure.format(secondCPU)) s; "
                    + "\(secondReport.rowsWritten) rows changed); raw loop \(BenchMeasure.format(rawFirst)) s then "
                    + "\(BenchMeasure.format(rawSecond)) s")
                rounds.append((first, second, rawFirst, rawSecond))
            }
        }
        let first = BenchMeasure.median(rounds.map(\.first)), second = BenchMeasure.median(rounds.map(\.second))
        let rawFirst = BenchMeasure.median(rounds.map(\.rawFirst)), rawSecond = BenchMeasure.median(rounds.map(\.rawSecond))
        await BenchTable.shared.report("Upsert: \(BenchMeasure.grouped(rows)) cursor-feed JSON rows, pages of 1000 "
            + "(median of \(options.rounds) rounds; pages replayed, see ReplayEmulator.swift)", [
            BenchLine(name: "into an empty table", figure: BenchMeasure.rate(rows, first), anchor: "raw loop " + BenchMeasure.rate(rows, rawFirst),
                      ratio: BenchMeasure.ratio(first / rawFirst) + " time", target: "≤ 2× time"),
            BenchLine(name: "same rows again (all conflicts)", figure: BenchMeasure.rate(rows, second),
                      anchor: "raw loop " + BenchMeasure.rate(rows, rawSecond),
                      ratio: BenchMeasure.ratio(second / rawSecond) + " time", target: "≤ 2× time"),
        ])
    }

    /// Deletes the job's checkpoints so the next run reads the feed from the start.
    static func forgetState(_ path: String, job: String) throws {
        let db = try RawUpsertLoop.open(path)
        defer { sqlite3_close_v2(db) }
        try RawUpsertLoop.exec(db, "DELETE FROM sluice_state WHERE job = '\(job)'")
    }
}
