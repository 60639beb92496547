import SluiceCore
import Testing
@testable import SluiceWarehouse

/// The coverage ledger as the SQLite warehouse keeps it: in the page's own transaction, with gaps kept current.
@Suite("coverage ledger in the warehouse")
struct CoverageStoreTests {
    /// 2023-11-14 00:00:00 UTC (the day of `fixedNow`), in milliseconds.
    let day0: Int64 = 1_699_920_000_000
    let hour: Int64 = 3_600_000

    func page(_ id: Int64, from: Int64, to: Int64, _ status: CoverageStatus, pages: Int = 1, rows: Int = 1,
              checkpoint: [String: String] = [:]) -> Batch {
        var batch = devicesBatch([[.integer(id), .text("n\(id)")]], checkpoint: checkpoint, origin: "page \(pages)")
        batch.coverage = CoverageMark(table: "devices", start: from, end: to, status: status, pages: pages, rows: rows,
                                      joinsDay: true, recoverableFor: 28 * 24 * hour)
        return batch
    }

    @Test func aWindowIsPartialWhileReadAndCompleteWithItsLastPage() async throws {
        try await withWarehouse { warehouse, path in
            _ = try await warehouse.commit(page(1, from: day0, to: day0 + 10 * hour, .partial), job: "j", runID: 1)
            let reader = try openReader(path)
            #expect(try reader.rows("SELECT window_start, window_end, status, pages, rows, run_id FROM sluice_coverage")
                    == [[.text("2023-11-14 00:00:00"), .text("2023-11-14 10:00:00"), .text("partial"), .integer(1),
                         .integer(1), .integer(1)]])
            _ = try await warehouse.commit(page(2, from: day0, to: day0 + 10 * hour, .complete, pages: 2, rows: 2),
                                           job: "j", runID: 1)
            #expect(try reader.rows("SELECT status, pages, rows FROM sluice_coverage")
                    == [[.text("complete"), .integer(2), .integer(2)]])
            let ledger = try await warehouse.coverage(job: "j")
            #expect(ledger.map(\.status) == [.complete])
        }
    }

    @Test(arguments: [FaultPoint.afterRows, .afterCheckpoint])
    func aFailedCommitLeavesTheLedgerAsItWas(point: FaultPoint) async throws {
        try await withWarehouse { warehouse, path in
            _ = try await warehouse.commit(page(1, from: day0, to: day0 + 10 * hour, .partial), job: "j", runID: 1)
            await warehouse.setFaultHook { if $0 == point { throw InjectedFault() } }
            await #expect(throws: SluiceError.self) {
                try await warehouse.commit(page(2, from: day0, to: day0 + 10 * hour, .complete, pages: 2, rows: 2),
                                           job: "j", runID: 1)
            }
            let reader = try openReader(path)
            #expect(try reader.rows("SELECT status, pages FROM sluice_coverage") == [[.text("partial"), .integer(1)]])
            #expect(try reader.scalar("SELECT count(*) FROM devices") == .integer(1))
        }
    }

    @Test func gapsFollowTheLedgerInTheSameTransaction() async throws {
        try await withWarehouse { warehouse, path in
            let reader = try openReader(path)
            _ = try await warehouse.commit(page(1, from: day0 - 48 * hour, to: day0 - 24 * hour, .complete), job: "j", runID: 1)
            _ = try await warehouse.commit(page(2, from: day0 - 24 * hour, to: day0, .partial), job: "j", runID: 1)
            // Run 1 is still reading its window: not a gap yet.
            #expect(try reader.scalar("SELECT count(*) FROM sluice_gaps") == .integer(0))
            // Run 2 finds it broken and reads today; the broken day is a partial gap with its deadline.
            _ = try await warehouse.commit(page(3, from: day0, to: day0 + hour, .complete), job: "j", runID: 2)
            #expect(try reader.rows("SELECT gap_start, gap_end, reason, recoverable_until FROM sluice_gaps")
                    == [[.text("2023-11-13 00:00:00"), .text("2023-11-14 00:00:00"), .text("partial"),
                         .text("2023-12-11 00:00:00")]])
            // Re-reading that day completes it; the gap goes.
            _ = try await warehouse.commit(page(4, from: day0 - 24 * hour, to: day0, .complete), job: "j", runID: 2)
            #expect(try reader.scalar("SELECT count(*) FROM sluice_gaps") == .integer(0))
        }
    }

    @Test func completenessWritesFreshnessForEveryTableOfThePolicy() async throws {
        try await withWarehouse { warehouse, path in
            let run = try await warehouse.beginRun(job: "j", trigger: .manual)
            _ = try await warehouse.commit(page(1, from: day0, to: day0 + 20 * hour, .complete), job: "j", runID: run)
            try await warehouse.finishRun(RunEnd(runID: run, status: .succeeded))
            let policy = CompletenessPolicy(job: "j", tables: ["devices", "other"], recoverableFor: [:],
                                            staleAfterSeconds: 7200)
            let reports = try await warehouse.completeness([policy], now: fixedNow, write: true)
            #expect(reports.first?.freshness.map(\.table) == ["devices", "other"])
            let reader = try openReader(path)
            #expect(try reader.rows("""
                SELECT table_name, last_success_at, complete_through, lag_seconds, stale, gaps, lost_seconds
                FROM sluice_freshness ORDER BY table_name
                """) == [
                    [.text("devices"), .text(fixedNowText), .text("2023-11-14 20:00:00"), .integer(8000), .integer(0),
                     .integer(0), .integer(0)],
                    [.text("other"), .text(fixedNowText), .null, .null, .integer(0), .integer(0), .integer(0)],
                ])
            #expect(try reader.declaredTypes("sluice_freshness")
                    == ["job": "TEXT", "table_name": "TEXT", "last_success_at": "TIMESTAMP", "complete_through": "TIMESTAMP",
                        "lag_seconds": "BIGINT", "stale": "BOOLEAN", "gaps": "BIGINT", "lost_seconds": "BIGINT",
                        "updated_at": "TIMESTAMP"])
            // A reader computes the same without writing.
            let readOnly = try SQLiteWarehouse.openForReading(path: path)
            let read = try await readOnly.completeness([policy], now: fixedNow, write: false)
            #expect(read.first?.freshness == reports.first?.freshness)
            await readOnly.close()
        }
    }
}
