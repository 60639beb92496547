// `sluice-bench <benchmark> [options]`: performance measurements that ship with the project (never tests).
// Build in release mode: `swift build -c release --product sluice-bench --product sluice`, then
// `.build/release/sluice-bench all` (idle and coldstart run the `sluice` binary found next to sluice-bench,
// or the one `--sluice PATH` names, e.g. the `--static-swift-stdlib` build that is installed).
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
let benchmarks: [(String, @Sendable (BenchOptions) async throws -> Void)] = [
    ("ws1-csv", { try await WS1CSVBenchmark(options: $0).run() }),
    ("upsert", { try await UpsertBenchmark(options: $0).run() }),
    ("pg-ws1-csv", { try await PostgresWS1Benchmark(options: $0).run() }),
    ("pg-upsert", { try await PostgresUpsertBenchmark(options: $0).run() }),
    ("paged", { try await PagedBenchmark(options: $0).run() }),
    ("idle", { try await IdleBenchmark(options: $0).run() }),
    ("coldstart", { try await ColdStartBenchmark(options: $0).run() }),
    ("csv-parsers", { try await ParserComparison(options: $0).runStandalone() }),
    ("executor", { try await ExecutorBenchmark(options: $0).run() }),
]
/// Long-running checks, not part of `all`.
let extraBenchmarks: [(String, @Sendable (BenchOptions) async throws -> Void)] = [
    ("soak", { try await SoakBenchmark(options: $0).run() }),
]

let usage = """
    usage: sluice-bench <benchmark> [--rows N] [--columns N] [--pages N] [--seconds N] [--jobs N] [--rounds N] [--sluice PATH] [--dir PATH] [--keep]
      ws1-csv       WS1 CSV download (1,000,000 rows × 20 columns) → warehouse in snapshot mode through JobRunner,
                    against sqlite3 .import of the same file (median of 3 alternating rounds, --rounds)
      upsert        1,000,000 cursor-feed JSON rows upserted into an empty table, then again (all conflicts),
                    against a raw prepared-statement loop over the same values
      pg-ws1-csv    the WS1 benchmark into PostgreSQL, against psql \\copy of the same file into an empty table
      pg-upsert     the upsert benchmark into PostgreSQL, against a raw COPY + merge of the same rows
                    (both: $SLUICE_BENCH_POSTGRES_URL or $SLUICE_TEST_POSTGRES_URL, password in $SLUICE_WAREHOUSE_PASSWORD)
      paged         Citrix and Power BI emulators, 500 pages of 20 ms: run time against serving time
      idle          `sluice daemon` with five hourly jobs: RSS and CPU time over 60 s (--seconds, --sluice)
      coldstart     `sluice validate` and `sluice status` on 50 job files (--jobs), median of 5
      csv-parsers   the hand-written CSV parser against CSV.swift on the same bytes (1,000,000 rows)
      executor      8 tasks fetching feed pages alone, while the publisher copies a 2,000,000-row warehouse on
                    its own thread, and while the same copy blocks the cooperative pool (--rows, --seconds)
      all           every benchmark above at the default sizes (about 6 minutes on 2 cores)
      soak          `sluice daemon` on all four emulators with short schedules and 2% injected faults for
                    --seconds (default 1200): RSS over time, token requests per credential, runs counted right
    """

guard let name = arguments.first,
      name == "all" || (benchmarks + extraBenchmarks).contains(where: { $0.0 == name }) else {
    print(usage)
    exit(2)
}
do {
    let options = try BenchOptions(Array(arguments.dropFirst()))
    if name == "all" {
        print("sluice-bench all: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(Date())")
        for (benchmark, body) in benchmarks {
            var own = options
            own.directory += "/" + benchmark
            try await body(own)
        }
        print("\n## Summary\n" + (await BenchTable.shared.all()))
        if !options.keep { try? FileManager.default.removeItem(atPath: options.directory) }
    } else {
        try await (benchmarks + extraBenchmarks).first { $0.0 == name }!.1(options)
    }
} catch {
    FileHandle.standardError.write(Data("sluice-bench: \(error)\n".utf8))
    exit(1)
}
