import Foundation
import Testing
import SluiceEmulators
import SluiceTestSupport

/// A BI refresh reading through ODBC while the daemon commits: readers see whole pages with their
/// checkpoint, the writer is never held up by them, and a long read does not leave the WAL large.
@Suite("ODBC readers while the binary writes")
struct ReadersWhileWritingTests {
    @Test func aReaderPollingDuringALargeLoadSeesOnlyWholePagesWithTheirCheckpoint() async throws {
        try await WarehouseFixture.with(rows: 500, pageSize: 500) { f in
            let first = try await f.sluice(["run"])
            #expect(first.exitCode == 0, "\(first.combined)")
            f.feed.append(count: 19_500)
            f.feed.faults.setDelay(.milliseconds(15))

            let odbc = try f.odbc()
            let writer = try f.start(["run"])
            var seen: [(rows: Int64, watermark: String?)] = []
            var failures: [String] = []
            var longestWait = Duration.zero
            let clock = ContinuousClock()
            for _ in 0..<20_000 where writer.process.isRunning {
                let started = clock.now
                do {
                    // One statement, so rows and checkpoint come from the same snapshot.
                    let row = try odbc.query("""
                        SELECT (SELECT count(*) FROM feed_rows),
                               (SELECT value FROM sluice_state WHERE job = 'feed' AND key = 'watermark')
                        """).rows { (try $0.int64(1) ?? -1, try $0.wideString(2)) }
                    if let first = row.first { seen.append((first.0, first.1)) }
                } catch {
                    failures.append("\(error)")
                }
                longestWait = max(longestWait, clock.now - started)
                try await Task.sleep(for: .milliseconds(5))
            }
            let result = try await writer.wait(timeout: 180)
            #expect(result.exitCode == 0, "\(result.combined)")
            #expect(failures.isEmpty, "queries failed (longest wait \(longestWait)): \(failures.prefix(3))")
            #expect(!seen.isEmpty)
            // Page ends: the first run's 500 rows, then pages of 500 of which the first re-reads the
            // watermark row (`updated_since` is inclusive), so 999, 1499, …, 19999, and the last row alone.
            let pageEnds = Set(([500] + Array(stride(from: 999, through: 19_999, by: 500)) + [20_000]).map(Int64.init))
            for (index, sample) in seen.enumerated() {
                #expect(pageEnds.contains(sample.rows), "a partial page was visible: \(sample.rows) rows")
                #expect(sample.watermark == f.feed.updatedAt(id: Int(sample.rows)),
                        "\(sample.rows) rows visible with watermark \(sample.watermark ?? "nil")")
                if index > 0 { #expect(sample.rows >= seen[index - 1].rows, "rows went back") }
            }
            let final = try odbc.query("SELECT count(*) FROM feed_rows").rows { try $0.int64(1) }
            #expect(final == [20_000])
            let status = try f.sqlite().rows("SELECT status FROM sluice_runs ORDER BY run_id DESC LIMIT 1")
            #expect(status == [["succeeded"]])
        }
    }

    /// A reader holding one transaction pins its snapshot, so the WAL grows by the whole load meanwhile
    /// (and the writer still finishes); once it ends, the next run's checkpoint shrinks the file again.
    /// An ODBC connection stays open throughout, as a BI tool's pool would, so the `-wal` file is not simply
    /// deleted by SQLite when the writer process closes the last connection.
    @Test func theWALReturnsUnderItsLimitAfterALongReadTransactionEnds() async throws {
        try await WarehouseFixture.with(rows: 500, pageSize: 500) { f in
            let first = try await f.sluice(["run"])
            #expect(first.exitCode == 0, "\(first.combined)")
            let reader = try f.odbc()
            try reader.setAutocommit(false)
            let count = "SELECT count(*) FROM feed_rows"
            #expect(try reader.query(count).rows { try $0.int64(1) } == [500])

            f.feed.append(count: Self.rowsOverTheLimit)
            let load = try await f.sluice(["run"])
            #expect(load.exitCode == 0, "\(load.combined)")
            #expect(walBytes(f.warehouse) > Self.walSizeLimit, "the pinned snapshot should have kept the WAL")
            // Still the snapshot from before the load.
            #expect(try reader.query(count).rows { try $0.int64(1) } == [500])
            try reader.rollback()

            let next = try await f.sluice(["run"])
            #expect(next.exitCode == 0, "\(next.combined)")
            // `journal_size_limit` alone would leave the file at exactly the limit once the log restarts;
            // the TRUNCATE checkpoint after the run empties it.
            #expect(walBytes(f.warehouse) < Self.walSizeLimit)
            #expect(try reader.query(count).rows { try $0.int64(1) } == [Int64(500 + Self.rowsOverTheLimit)])
            try reader.rollback()
            #expect(try f.sqlite().rows("PRAGMA integrity_check") == [["ok"]])
        }
    }

    /// `WarehouseStore.walSizeLimitBytes` (this target cannot import the warehouse module).
    static let walSizeLimit: Int64 = 8 * 1_048_576
    /// Enough feed rows (~400 bytes each with index and page overhead) to write well over the limit.
    static let rowsOverTheLimit = 40_000
}

/// Size of the warehouse's `-wal` file; 0 when there is none.
func walBytes(_ warehouse: String) -> Int64 {
    let attributes = try? FileManager.default.attributesOfItem(atPath: warehouse + "-wal")
    return (attributes?[.size] as? NSNumber)?.int64Value ?? 0
}
