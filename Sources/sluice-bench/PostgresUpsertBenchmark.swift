import Foundation
import NIOCore
import PostgresNIO
import SluiceCore
import SluiceEmulators
import SluicePostgres
import SluiceDaemon

/// The upsert benchmark against PostgreSQL: 1,000,000 cursor-feed JSON rows (pages of 1000, replayed after a
/// warm-up run, see ReplayEmulator.swift) upserted into an empty table, then the same rows again with the job's
/// state deleted (every row a conflict, none changed).
///
/// Anchor, same round: a raw COPY + merge over the same values, without Sluice's pipeline. The rows Sluice stored are
/// exported with `psql \copy … TO` (not timed) and cut into chunks of 1000 lines; each chunk is one transaction of
/// `COPY` into a temporary table and the same `INSERT … SELECT … ON CONFLICT DO UPDATE … WHERE` Sluice runs, on one
/// PostgresNIO connection. Only the chunks' transactions are timed.
struct PostgresUpsertBenchmark {
    let options: BenchOptions

    func run() async throws {
        guard PostgresBench.isConfigured else { return PostgresBench.announceSkip("pg-upsert") }
        let bench = try PostgresBench()
        let cleanup = try options.makeDirectory()
        defer { cleanup() }
        let rows = options.rows ?? 1_000_000
        let token = "bench-" + UUID().uuidString
        let feed = CursorFeedEmulator(.init(rowCount: rows, expectedToken: token))
        let cache = ReplayCache()
        let table = "bench_feed"
        var rounds: [(first: Double, second: Double, rawFirst: Double, rawSecond: Double)] = []
        try await EmulatorServer.withRunning(WrappedEmulator(inner: feed, middleware: Replay(cache: cache))) { url in
            let job = UpsertBenchmark.feedJob(url: url, table: table)
            let environment = ["BENCH_TOKEN": token]
            let warm = PostgresBench.schema("warm")
            defer { try? bench.dropSchema(warm) }
            let (_, warmSeconds) = try await BenchMeasure.seconds {
                try await bench.run(job, schema: warm, environment: environment)
            }
            print("warm-up run (emulator rendering, not measured): \(BenchMeasure.format(warmSeconds)) s, "
                + "\(cache.size.responses) pages recorded")
            for round in 1...options.rounds {
                let schema = PostgresBench.schema("upsert")
                defer { try? bench.dropSchema(schema) }
                try bench.psql(["CHECKPOINT"])
                sync()
                let (firstReport, first) = try await BenchMeasure.seconds {
                    try await bench.run(job, schema: schema, environment: environment)
                }
                guard firstReport.rowsWritten == rows else {
                    throw BenchOptions.UsageError(description: "first pass wrote \(firstReport.rowsWritten) of \(rows) rows")
                }
                try bench.psql(["DELETE FROM \"\(schema)\".sluice_state WHERE job = '\(job.name)'", "CHECKPOINT"])
                sync()
                let (secondReport, second) = try await BenchMeasure.seconds {
                    try await bench.run(job, schema: schema, environment: environment, allowUnchanged: true)
                }
                let (rawFirst, rawSecond) = try await rawPasses(bench, schema: schema, table: table)
                print("round \(round): sluice \(BenchMeasure.format(first)) s then \(BenchMeasure.format(second)) s "
                    + "(\(secondReport.rowsWritten) rows changed); raw COPY + merge \(BenchMeasure.format(rawFirst)) s then "
                    + "\(BenchMeasure.format(rawSecond)) s")
                rounds.append((first, second, rawFirst, rawSecond))
            }
        }
        let first = BenchMeasure.median(rounds.map(\.first)), second = BenchMeasure.median(rounds.map(\.second))
        let rawFirst = BenchMeasure.median(rounds.map(\.rawFirst)), rawSecond = BenchMeasure.median(rounds.map(\.rawSecond))
        await BenchTable.shared.report("PostgreSQL, upsert: \(BenchMeasure.grouped(rows)) cursor-feed JSON rows, pages of 1000 "
            + "(median of \(options.rounds) rounds; pages replayed)", [
            BenchLine(name: "into an empty table", figure: BenchMeasure.rate(rows, first),
                      anchor: "raw COPY + merge " + BenchMeasure.rate(rows, rawFirst),
                      ratio: BenchMeasure.ratio(first / rawFirst) + " time", target: "≤ 2× time"),
            BenchLine(name: "same rows again (all conflicts)", figure: BenchMeasure.rate(rows, second),
                      anchor: "raw COPY + merge " + BenchMeasure.rate(rows, rawSecond),
                      ratio: BenchMeasure.ratio(second / rawSecond) + " time", target: "≤ 2× time"),
            BenchLine(name: "peak RSS of the whole bench process", figure: BenchMeasure.format(BenchMeasure.peakRSSMiB() ?? 0, 1) + " MiB",
                      anchor: "", ratio: "", target: "< 100 MB"),
        ])
    }

    /// The anchor's two passes (into an empty copy of the table, then the same rows again); the timed seconds.
    private func rawPasses(_ bench: PostgresBench, schema: String, table: String) async throws -> (Double, Double) {
        let export = options.directory + "/export.txt"
        let columns = try bench.psql(["""
            SELECT string_agg(quote_ident(attname), ',' ORDER BY attnum) FROM pg_attribute
            WHERE attrelid = to_regclass('"\(schema)"."\(table)"') AND attnum > 0 AND NOT attisdropped
              AND attname NOT LIKE '\\_sluice\\_%'
            """]).split(separator: ",").map { String($0).replacingOccurrences(of: "\"", with: "") }
        try bench.psql(["\\copy (SELECT \(columns.map { "\"\($0)\"" }.joined(separator: ",")) FROM \"\(schema)\".\"\(table)\" ORDER BY id) TO '\(export)'",
                        "CREATE TABLE \"\(schema)\".raw (LIKE \"\(schema)\".\"\(table)\" INCLUDING ALL)"])
        let lines = try String(contentsOfFile: export, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: true)
        let chunks = stride(from: 0, to: lines.count, by: 1000).map { lines[$0..<min($0 + 1000, lines.count)].joined(separator: "\n") + "\n" }
        let connector = try bench.connector(schema: schema)
        let connection = try await connector.connect()
        do {
            let passes = try await timedPasses(connection, chunks: chunks, schema: schema, table: table, columns: columns,
                                               bench: bench)
            try await connection.close()
            return passes
        } catch {
            try? await connection.close()
            throw error
        }
    }

    private func timedPasses(_ connection: PostgresConnection, chunks: [String], schema: String, table: String,
                             columns: [String], bench: PostgresBench) async throws -> (Double, Double) {
        let logger = PostgresBench.quiet
        let quoted = columns.map { "\"\($0)\"" }.joined(separator: ", ")
        try await connection.query(PostgresQuery(unsafeSQL:
            "CREATE TEMP TABLE raw_page ON COMMIT DELETE ROWS AS SELECT \(quoted) FROM \"\(schema)\".\"\(table)\" WITH NO DATA"),
            logger: logger)
        let merge = PostgresWarehouse.mergeSQL(into: "\"\(schema)\".raw", from: "raw_page", columns: columns, primaryKey: ["id"])
        var passes: [Double] = []
        for _ in 0..<2 {
            try bench.psql(["CHECKPOINT"])
            sync()
            let start = ContinuousClock.now
            for chunk in chunks {
                try await connection.query("BEGIN", logger: logger)
                try await connection.copyFrom(table: "raw_page", columns: columns, logger: logger) { writer in
                    try await writer.write(ByteBuffer(string: chunk))
                }
                var binds = PostgresBindings()
                binds.append(Int64(1))
                binds.append(Timestamps.format(epochSeconds: Date().timeIntervalSince1970))
                try await connection.query(PostgresQuery(unsafeSQL: merge, binds: binds), logger: logger)
                try await connection.query("COMMIT", logger: logger)
            }
            passes.append(BenchMeasure.seconds(since: start))
        }
        return (passes[0], passes[1])
    }
}
