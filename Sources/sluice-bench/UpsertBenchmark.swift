import CSQLite
import Foundation
import SluiceCore
import SluiceEmulators

/// Cursor-feed JSON rows (page size 1000) → warehouse in upsert mode: once into an empty table, then the same
/// rows again with the job's state deleted (every row a conflict, none changed), each against the raw
/// prepared-statement loop over the same values (``RawUpsertLoop``).
struct UpsertBenchmark {
    let options: BenchOptions

    func run() async throws {
        let cleanup = try options.makeDirectory()
        defer { cleanup() }
        let rows = options.rows ?? 1_000_000
        let token = "bench-" + UUID().uuidString
        let feed = CursorFeedEmulator(.init(rowCount: rows, expectedToken: token))
        let warehouse = options.directory + "/upsert.db"
        let table = "bench_feed"
        let clock = ServingClock()
        let (first, second, servedFirst) = try await EmulatorServer.withRunning(TimedEmulator(inner: feed, clock: clock)) { url in
            let job = JobDefinition(
                name: "bench-feed", file: "bench", schedule: .every(seconds: 3600),
                target: TargetSettings(table: table, mode: .upsert, primaryKey: ["id"]),
                source: .cursorFeed(CursorFeedSettings(baseURL: url, dataset: "access-requests", token: .env("BENCH_TOKEN"),
                                                       pageSize: 1000)))
            let environment = ["BENCH_TOKEN": token]
            let cpuStart = BenchMeasure.cpuSeconds()
            let (firstReport, firstSeconds) = try await BenchMeasure.seconds {
                try await BenchRun.run(job, warehouse: warehouse, environment: environment)
            }
            guard firstReport.rowsWritten == rows else {
                throw BenchOptions.UsageError(description: "first pass wrote \(firstReport.rowsWritten) of \(rows) rows")
            }
            let firstCPU = BenchMeasure.cpuSeconds() - cpuStart
            let servedFirst = clock.reading.seconds
            try Self.forgetState(warehouse, job: job.name)
            let secondStart = BenchMeasure.cpuSeconds()
            let (_, secondSeconds) = try await BenchMeasure.seconds {
                try await BenchRun.run(job, warehouse: warehouse, environment: environment, allowUnchanged: true)
            }
            print("  CPU time (all threads, the emulator's JSON rendering included): "
                + "\(BenchMeasure.format(firstCPU)) s and \(BenchMeasure.format(BenchMeasure.cpuSeconds() - secondStart)) s")
            return (firstSeconds, secondSeconds, servedFirst)
        }
        let loop = RawUpsertLoop(sourcePath: warehouse, table: table, targetPath: options.directory + "/raw.db")
        let rawFirst = try loop.pass()
        let rawSecond = try loop.pass()
        await BenchTable.shared.report("Upsert: \(BenchMeasure.grouped(rows)) cursor-feed JSON rows, pages of 1000", [
            BenchLine(name: "into an empty table", figure: BenchMeasure.rate(rows, first), anchor: "raw loop " + BenchMeasure.rate(rows, rawFirst),
                      ratio: BenchMeasure.ratio(first / rawFirst) + " time", target: "≤ 2× time"),
            BenchLine(name: "same rows again (all conflicts)", figure: BenchMeasure.rate(rows, second),
                      anchor: "raw loop " + BenchMeasure.rate(rows, rawSecond),
                      ratio: BenchMeasure.ratio(second / rawSecond) + " time", target: "≤ 2× time"),
        ])
        let servedSecond = clock.reading.seconds - servedFirst
        print("  (sluice: \(BenchMeasure.format(first)) s and \(BenchMeasure.format(second)) s, of which the emulator spent "
            + "\(BenchMeasure.format(servedFirst)) s and \(BenchMeasure.format(servedSecond)) s rendering and serving pages in the "
            + "same process; raw loop: \(BenchMeasure.format(rawFirst)) s and \(BenchMeasure.format(rawSecond)) s, binding and commits only)")
    }

    /// Deletes the job's checkpoints so the next run reads the feed from the start.
    static func forgetState(_ path: String, job: String) throws {
        let db = try RawUpsertLoop.open(path)
        defer { sqlite3_close_v2(db) }
        try RawUpsertLoop.exec(db, "DELETE FROM sluice_state WHERE job = '\(job)'")
    }
}
