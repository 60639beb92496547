import SluiceCore
import Testing

/// The coverage ledger, gaps and freshness: written in the page's own transaction, the same in both backends.
@Suite("Warehouse contract: coverage")
struct CoverageContractTests {
    /// 2023-11-14 00:00:00 UTC (the day of `fixedNow`), in milliseconds.
    static let day0: Int64 = 1_699_920_000_000
    static let hour: Int64 = 3_600_000

    func page(_ id: Int64?, from: Int64, to: Int64, _ status: CoverageStatus, pages: Int = 1, rows: Int = 1) -> Batch {
        var batch = devicesBatch([[id.map(Value.integer) ?? .null, .text("n")]], origin: "page \(pages)")
        batch.coverage = CoverageMark(table: "devices", start: from, end: to, status: status, pages: pages, rows: rows,
                                      joinsDay: true, recoverableFor: 28 * 24 * Self.hour)
        return batch
    }

    @Test(arguments: Backend.allCases)
    func aWindowIsPartialWhileReadAndCompleteWithItsLastPage(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            let (day0, hour) = (Self.day0, Self.hour)
            _ = try await h.warehouse.commit(page(1, from: day0, to: day0 + 10 * hour, .partial), job: "j", runID: 1)
            #expect(try await h.rows("SELECT window_start, window_end, status, pages, rows, run_id FROM sluice_coverage")
                == [[.text("2023-11-14 00:00:00"), .text("2023-11-14 10:00:00"), .text("partial"), .integer(1), .integer(1),
                     .integer(1)]])
            _ = try await h.warehouse.commit(page(2, from: day0, to: day0 + 10 * hour, .complete, pages: 2, rows: 2),
                                             job: "j", runID: 1)
            #expect(try await h.rows("SELECT status, pages, rows FROM sluice_coverage") == [[.text("complete"), .integer(2), .integer(2)]])
            #expect(try await h.warehouse.coverage(job: "j").map(\.status) == [.complete])
            #expect(try await h.warehouse.coverage(job: "j").first?.start == day0)
        }
    }

    @Test(arguments: Backend.allCases)
    func aFailedCommitLeavesTheLedgerAsItWas(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            let (day0, hour) = (Self.day0, Self.hour)
            _ = try await h.warehouse.commit(page(1, from: day0, to: day0 + 10 * hour, .partial), job: "j", runID: 1)
            await #expect(throws: SluiceError.self) {
                try await h.warehouse.commit(page(nil, from: day0, to: day0 + 10 * hour, .complete, pages: 2, rows: 2),
                                             job: "j", runID: 1)
            }
            #expect(try await h.rows("SELECT status, pages FROM sluice_coverage") == [[.text("partial"), .integer(1)]])
        }
    }

    @Test(arguments: Backend.allCases)
    func gapsFollowTheLedgerInTheSameTransaction(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            let (day0, hour) = (Self.day0, Self.hour)
            _ = try await h.warehouse.commit(page(1, from: day0 - 48 * hour, to: day0 - 24 * hour, .complete), job: "j", runID: 1)
            _ = try await h.warehouse.commit(page(2, from: day0 - 24 * hour, to: day0, .partial), job: "j", runID: 1)
            #expect(try await h.scalar("SELECT count(*) FROM sluice_gaps") == .integer(0))
            _ = try await h.warehouse.commit(page(3, from: day0, to: day0 + hour, .complete), job: "j", runID: 2)
            #expect(try await h.rows("SELECT gap_start, gap_end, reason, recoverable_until FROM sluice_gaps")
                == [[.text("2023-11-13 00:00:00"), .text("2023-11-14 00:00:00"), .text("partial"), .text("2023-12-11 00:00:00")]])
            _ = try await h.warehouse.commit(page(4, from: day0 - 24 * hour, to: day0, .complete), job: "j", runID: 2)
            #expect(try await h.scalar("SELECT count(*) FROM sluice_gaps") == .integer(0))
        }
    }

    @Test(arguments: Backend.allCases)
    func completenessWritesFreshnessForEveryTableOfThePolicy(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            let (day0, hour) = (Self.day0, Self.hour)
            let run = try await h.warehouse.beginRun(job: "j", trigger: .manual)
            _ = try await h.warehouse.commit(page(1, from: day0, to: day0 + 20 * hour, .complete), job: "j", runID: run)
            try await h.warehouse.finishRun(RunEnd(runID: run, status: .succeeded))
            let policy = CompletenessPolicy(job: "j", tables: ["devices", "other"], recoverableFor: [:], staleAfterSeconds: 7200)
            let reports = try await h.warehouse.completeness([policy], now: fixedNow, write: true)
            #expect(reports.first?.freshness.map(\.table) == ["devices", "other"])
            #expect(try await h.rows("""
                SELECT table_name, last_success_at, complete_through, lag_seconds, stale, gaps, lost_seconds
                FROM sluice_freshness ORDER BY table_name
                """) == [
                    [.text("devices"), .text(fixedNowText), .text("2023-11-14 20:00:00"), .integer(8000), .integer(0), .integer(0),
                     .integer(0)],
                    [.text("other"), .text(fixedNowText), .null, .null, .integer(0), .integer(0), .integer(0)],
                ])
            let again = try await h.warehouse.completeness([policy], now: fixedNow, write: false)
            #expect(again.first?.freshness == reports.first?.freshness)
        }
    }

    @Test(arguments: Backend.allCases)
    func aSnapshotWritesItsCoverageWhenItPublishes(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            var first = snapshotBatch(["a"], id: "d1", at: "2026-03-01 10:00:00", isLast: false)
            let mark = CoverageMark(table: "devices", start: Self.day0, end: Self.day0, status: .complete, pages: 1, rows: 2,
                                    joinsDay: false, recoverableFor: nil)
            first.coverage = mark
            _ = try await h.warehouse.commit(first, job: "w", runID: 1)
            var last = snapshotBatch(["b"], id: "d1", at: "2026-03-01 10:00:00")
            last.coverage = mark
            _ = try await h.warehouse.commit(last, job: "w", runID: 1)
            #expect(try await h.rows("SELECT status, rows FROM sluice_coverage WHERE job = 'w'") == [[.text("complete"), .integer(2)]])
        }
    }
}
