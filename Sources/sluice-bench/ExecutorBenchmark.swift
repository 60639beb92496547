import AsyncHTTPClient
import CSQLite
import Foundation
import Logging
import NIOCore
import SluiceCore
import SluiceEmulators
import SluiceWarehouse
import Synchronization

/// Does an HTTP-heavy job keep its pace while another job publishes a large warehouse?
///
/// Eight tasks fetch cursor-feed pages from the emulator as fast as they can for `--seconds` (default 10), three
/// times: alone; while the publisher copies a large warehouse (`VACUUM INTO`, `--rows`, default 2,000,000 rows)
/// over and over on its own thread, as the daemon does; and while the same copy runs on Swift's cooperative pool,
/// as it did before the warehouse and the publisher got their threads. Pages per second and the 99th percentile
/// of a page's latency show what the blocking calls cost the tasks around them.
struct ExecutorBenchmark {
    let options: BenchOptions
    static let fetchers = 8

    func run() async throws {
        let cleanup = try options.makeDirectory()
        defer { cleanup() }
        let rows = options.rows ?? 2_000_000
        let seconds = Double(options.seconds ?? 10)
        let source = options.directory + "/large.db"
        let size = try Self.makeWarehouse(at: source, rows: rows)
        print("executor: a warehouse of \(BenchMeasure.grouped(rows)) rows, \(BenchMeasure.format(Double(size) / 1_048_576, 0)) MiB")
        let feed = CursorFeedEmulator(.init(rowCount: 200))
        try await EmulatorServer.withRunning(feed) { base in
            let url = base + "/api/bi/v1/access-requests?page_size=20"
            let alone = try await Self.pace(url, seconds: seconds)

            // Two blocking copies at once: what the warehouse's big commit and the publisher's copy of another job
            // did together before each got a thread, on a pool of two threads.
            let publishers = ["a", "b"].map {
                SQLitePublisher(warehousePath: source, destination: options.directory + "/copy-\($0).db",
                                logger: Logger(label: "bench"))
            }
            let ownThreads = try await Self.whileCopying(seconds: seconds, url: url, copiers: publishers.map { publisher in
                { await publisher.publishNow(after: "bench") }
            })
            let onPool = try await Self.whileCopying(seconds: seconds, url: url, copiers: ["c", "d"].map { name in
                let destination = options.directory + "/copy-\(name).db"
                // The blocking call made straight from a task: it holds one of the pool's threads meanwhile.
                return { (try? SQLiteWarehouse.publishCopy(of: source, to: destination)) != nil }
            })
            await BenchTable.shared.report("HTTP pace while a large warehouse is copied twice at once (\(Self.fetchers) "
                                           + "fetchers, \(Int(seconds)) s each, \(ProcessInfo.processInfo.activeProcessorCount) cores)", [
                Self.line("alone", alone, anchor: alone, copies: nil),
                Self.line("two VACUUM INTO on their own threads (the daemon)", ownThreads.pace, anchor: alone,
                          copies: ownThreads.copies),
                Self.line("two VACUUM INTO on the cooperative pool (before)", onPool.pace, anchor: alone,
                          copies: onPool.copies),
            ])
        }
    }

    struct Pace {
        var pagesPerSecond: Double
        var p99Millis: Double
        var medianMillis: Double
    }

    static func line(_ name: String, _ pace: Pace, anchor: Pace, copies: Int?) -> BenchLine {
        BenchLine(name: name + (copies.map { ", \($0) copies made" } ?? ""),
                  figure: "\(BenchMeasure.format(pace.pagesPerSecond, 0)) pages/s, p50 \(BenchMeasure.format(pace.medianMillis, 1)) ms, "
                      + "p99 \(BenchMeasure.format(pace.p99Millis, 1)) ms",
                  anchor: "alone \(BenchMeasure.format(anchor.pagesPerSecond, 0)) pages/s",
                  ratio: BenchMeasure.ratio(pace.pagesPerSecond / anchor.pagesPerSecond), target: "keeps its pace")
    }

    /// The pace measured while each of `copiers` runs again and again in a task of its own; how many copies
    /// they made.
    ///
    /// The fetchers start first and the measuring window is fixed before the copiers start: a copier that
    /// blocks every thread of the pool also blocks the fetchers' continuations (and the measuring task), and
    /// only pages completed inside the window count, so that stall shows as a lower pace rather than as a
    /// measurement taken after the copies ended.
    static func whileCopying(seconds: Double, url: String, copiers: [@Sendable () async -> Bool]) async throws
        -> (pace: Pace, copies: Int) {
        let flags = CopyFlags()
        let windowStart = ContinuousClock.now + .milliseconds(300)
        let windowEnd = windowStart + .milliseconds(Int(seconds * 1000))
        async let pace = pace(url, from: windowStart, until: windowEnd)
        // Let the fetchers get going, then start the copiers. Copiers that block every thread of the pool also
        // block the task that would tell them to stop, so each also stops on its own when the window ends.
        try await Task.sleep(for: .milliseconds(100))
        var tasks: [Task<Void, Never>] = []
        for copy in copiers {
            tasks.append(Task {
                while !flags.stop.load(ordering: .relaxed), ContinuousClock.now < windowEnd {
                    if await copy() { flags.copies.add(1, ordering: .relaxed) }
                }
            })
        }
        let measured = try await pace
        flags.stop.store(true, ordering: .relaxed)
        for task in tasks { await task.value }
        return (measured, flags.copies.load(ordering: .relaxed))
    }

    /// Shared between the measuring task and the copiers.
    final class CopyFlags: Sendable {
        let copies = Atomic<Int>(0)
        let stop = Atomic<Bool>(false)
    }

    /// Pages per second and latency percentiles of `fetchers` tasks fetching `url` for `seconds`, from now.
    static func pace(_ url: String, seconds: Double) async throws -> Pace {
        let start = ContinuousClock.now
        return try await pace(url, from: start, until: start + .milliseconds(Int(seconds * 1000)))
    }

    /// Pages per second and latency percentiles of the pages `fetchers` tasks completed between `from` and
    /// `until` (they fetch from now until `until`; pages that end outside the window do not count).
    static func pace(_ url: String, from: ContinuousClock.Instant, until: ContinuousClock.Instant) async throws -> Pace {
        let seconds = (until - from).seconds
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for _ in 0..<fetchers {
                group.addTask {
                    var own: [Double] = []
                    while ContinuousClock.now < until {
                        let start = ContinuousClock.now
                        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
                        _ = try await response.body.collect(upTo: 1 << 22)
                        let end = ContinuousClock.now
                        guard end >= from, end <= until else { continue }
                        let elapsed = end - start
                        own.append(elapsed.seconds * 1000)
                    }
                    return own
                }
            }
            var all: [Double] = []
            for try await own in group { all += own }
            return all.sorted()
        }
        guard !latencies.isEmpty else { return Pace(pagesPerSecond: 0, p99Millis: 0, medianMillis: 0) }
        return Pace(pagesPerSecond: Double(latencies.count) / seconds,
                    p99Millis: latencies[min(latencies.count - 1, latencies.count * 99 / 100)],
                    medianMillis: latencies[latencies.count / 2])
    }

    /// A warehouse file of `rows` rows of four columns, written in one transaction; returns its size in bytes.
    static func makeWarehouse(at path: String, rows: Int) throws -> Int {
        var db: OpaquePointer?
        guard sqlite3_open(path, &db) == SQLITE_OK, let db else { throw BenchOptions.UsageError(description: "cannot open \(path)") }
        defer { sqlite3_close(db) }
        let setup = "PRAGMA journal_mode=WAL; CREATE TABLE events(id INTEGER PRIMARY KEY, name TEXT, value REAL, note TEXT);"
        guard sqlite3_exec(db, setup, nil, nil, nil) == SQLITE_OK else { throw BenchOptions.UsageError(description: "cannot create the table") }
        sqlite3_exec(db, "BEGIN", nil, nil, nil)
        var statement: OpaquePointer?
        sqlite3_prepare_v2(db, "INSERT INTO events VALUES (?1, ?2, ?3, ?4)", -1, &statement, nil)
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for i in 0..<rows {
            sqlite3_bind_int64(statement, 1, Int64(i))
            sqlite3_bind_text(statement, 2, "user\(i % 5000)@example.com", -1, transient)
            sqlite3_bind_double(statement, 3, Double(i) * 0.25)
            sqlite3_bind_text(statement, 4, "note number \(i) of the executor benchmark", -1, transient)
            sqlite3_step(statement)
            sqlite3_reset(statement)
        }
        sqlite3_finalize(statement)
        guard sqlite3_exec(db, "COMMIT; PRAGMA wal_checkpoint(TRUNCATE);", nil, nil, nil) == SQLITE_OK else {
            throw BenchOptions.UsageError(description: "cannot commit the rows")
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.size] as? Int) ?? 0
    }
}
