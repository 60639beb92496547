import SluiceCore
import Testing

/// `replace` mode, and the run ledger and state every backend keeps.
@Suite("Warehouse contract: replace mode, runs and state")
struct ReplaceAndRunsContractTests {
    @Test(arguments: Backend.allCases)
    func theTableSwapsToTheNewDatasetOnlyWhenItIsComplete(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            _ = try await h.warehouse.commit(replaceBatch(["a", "b", "c"]), job: "j", runID: 1)
            #expect(try await h.scalar("SELECT count(*) FROM devices") == .integer(3))
            _ = try await h.warehouse.commit(replaceBatch(["x"], isLast: false), job: "j", runID: 2)
            #expect(try await h.rows("SELECT device_name FROM devices ORDER BY 1") == [[.text("a")], [.text("b")], [.text("c")]])
            #expect(try await h.warehouse.commit(replaceBatch(["y"], checkpoint: ["last": "2"]), job: "j", runID: 2) == 2)
            #expect(try await h.rows("SELECT device_name, _sluice_run_id FROM devices ORDER BY 1")
                == [[.text("x"), .integer(2)], [.text("y"), .integer(2)]])
            #expect(try await h.warehouse.state(job: "j") == ["last": "2"])
        }
    }

    @Test(arguments: Backend.allCases)
    func anAbortedReplaceKeepsTheOldRowsAndTheNextLoadWorks(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            _ = try await h.warehouse.commit(replaceBatch(["a"]), job: "j", runID: 1)
            _ = try await h.warehouse.commit(replaceBatch(["x"], isLast: false), job: "j", runID: 2)
            await h.warehouse.discardUnpublished(job: "j", runID: 2)
            #expect(try await h.rows("SELECT device_name FROM devices") == [[.text("a")]])
            _ = try await h.warehouse.commit(replaceBatch(["z"]), job: "j", runID: 3)
            #expect(try await h.rows("SELECT device_name FROM devices") == [[.text("z")]])
            #expect(try await h.scalar("SELECT count(*) FROM sluice_pending") == .integer(0))
        }
    }

    @Test(arguments: Backend.allCases)
    func aColumnAddedMidLoadReachesTheTable(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            _ = try await h.warehouse.commit(replaceBatch(["a"]), job: "j", runID: 1)
            _ = try await h.warehouse.commit(replaceBatch(["x"], isLast: false), job: "j", runID: 2)
            let wider = [Column("Device Name", .text), Column("Battery", .bigint)]
            _ = try await h.warehouse.commit(replaceBatch(["y"], columns: wider), job: "j", runID: 2)
            #expect(try await h.rows("SELECT device_name, battery FROM devices ORDER BY 1") == [[.text("x"), .null], [.text("y"), .integer(7)]])
            #expect(try await h.declaredTypes("devices")["battery"] == .bigint)
        }
    }

    @Test(arguments: Backend.allCases)
    func aRunIsRecordedFromStartToFinish(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            let id = try await h.warehouse.beginRun(job: "pbi", trigger: .schedule)
            #expect(try await h.warehouse.recentRuns(job: "pbi", limit: 5) == [
                RunRecord(runID: id, job: "pbi", trigger: .schedule, startedAt: fixedNowText, finishedAt: nil, status: .running,
                          rowsWritten: 0, requests: 0, bytesRead: 0, error: nil),
            ])
            try await h.warehouse.finishRun(RunEnd(runID: id, status: .failed, rowsWritten: 12, requests: 3, bytesRead: 4096,
                                                   error: "page 2: HTTP 503", errorKind: .network))
            let finished = try #require(try await h.warehouse.recentRuns(job: "pbi", limit: 1).first)
            #expect(finished.status == .failed && finished.finishedAt == fixedNowText)
            #expect(finished.rowsWritten == 12 && finished.requests == 3 && finished.bytesRead == 4096)
            #expect(finished.error == "page 2: HTTP 503" && finished.errorKind == .network)
            #expect(try await h.rows("SELECT last_status, last_error, last_error_kind, finished_runs, consecutive_failures FROM sluice_job_health")
                == [[.text("failed"), .text("page 2: HTTP 503"), .text("network"), .integer(1), .integer(1)]])
        }
    }

    @Test(arguments: Backend.allCases)
    func runsCutOffByACrashAreMarkedAbandoned(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            let done = try await h.warehouse.beginRun(job: "a", trigger: .manual)
            try await h.warehouse.finishRun(RunEnd(runID: done, status: .succeeded))
            _ = try await h.warehouse.beginRun(job: "a", trigger: .schedule)
            _ = try await h.warehouse.beginRun(job: "b", trigger: .backfill)
            #expect(try await h.warehouse.markAbandonedRuns(job: "b") == 1)
            #expect(try await h.warehouse.markAbandonedRuns(job: nil) == 1)
            #expect(try await h.warehouse.markAbandonedRuns(job: nil) == 0)
            #expect(try await h.warehouse.recentRuns(job: "a", limit: 10).map(\.status) == [.abandoned, .succeeded])
            #expect(try await h.warehouse.recentRuns(job: "b", limit: 10).first?.finishedAt == fixedNowText)
            #expect(try await h.warehouse.jobsWithRuns() == ["a", "b"])
            #expect(try await h.rows("SELECT job, last_status, consecutive_failures FROM sluice_job_health ORDER BY job")
                == [[.text("a"), .text("abandoned"), .integer(1)], [.text("b"), .text("abandoned"), .integer(1)]])
        }
    }

    @Test(arguments: Backend.allCases)
    func finishingAFailedRunDiscardsWhatItNeverPublished(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            let id = try await h.warehouse.beginRun(job: "ws1", trigger: .schedule)
            _ = try await h.warehouse.commit(devicesBatch([[.integer(1), .text("a")]], part: .middle), job: "ws1", runID: id)
            _ = try await h.warehouse.commit(snapshotBatch(["x"], id: "s1", at: "2026-03-01 10:00:00", isLast: false,
                                                           table: "snapshots"), job: "ws1", runID: id)
            try await h.warehouse.finishRun(RunEnd(runID: id, status: .failed, error: "truncated body"))
            #expect(try await h.scalar("SELECT count(*) FROM devices") == .integer(0))
            #expect(try await h.storedSnapshotRows("snapshots") == 0)
            #expect(try await h.scalar("SELECT count(*) FROM sluice_pending") == .integer(0))
            let next = try await h.warehouse.beginRun(job: "ws1", trigger: .schedule)
            _ = try await h.warehouse.commit(devicesBatch([[.integer(2), .text("b")]], part: .last), job: "ws1", runID: next)
            #expect(try await h.rows("SELECT id FROM devices") == [[.integer(2)]])
        }
    }

    @Test(arguments: Backend.allCases)
    func stateRoundTripsPerJob(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            let page = devicesBatch([], checkpoint: ["Sessions.watermark": "2024-01-01 00:00:00", "Machines.watermark": "x"])
            _ = try await h.warehouse.commit(page, job: "citrix", runID: 1)
            _ = try await h.warehouse.commit(devicesBatch([], checkpoint: ["Machines.watermark": "y"]), job: "citrix", runID: 1)
            _ = try await h.warehouse.commit(devicesBatch([], checkpoint: ["k": "v"]), job: "other", runID: 2)
            #expect(try await h.warehouse.state(job: "citrix") == ["Sessions.watermark": "2024-01-01 00:00:00", "Machines.watermark": "y"])
            #expect(try await h.warehouse.state(job: "nobody") == [:])
            #expect(try await h.rows("SELECT DISTINCT updated_at FROM sluice_state") == [[.text(fixedNowText)]])
        }
    }

    @Test(arguments: Backend.allCases)
    func systemTablesHaveTheDocumentedColumns(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            _ = try await h.warehouse.beginRun(job: "j", trigger: .manual)  // makes sure the warehouse exists
            #expect(try await h.declaredTypes("sluice_runs") == [
                "run_id": backend == .sqlite ? nil : .bigint, "job": .text, "trigger": .text, "started_at": .timestamp,
                "finished_at": .timestamp, "status": .text, "rows_written": .bigint, "requests": .bigint,
                "bytes_read": .bigint, "error": .text, "error_kind": .text,
            ])
            #expect(try await h.declaredTypes("sluice_state") == ["job": .text, "key": .text, "value": .text, "updated_at": .timestamp])
            #expect(try await h.declaredTypes("sluice_columns") == [
                "table_name": .text, "column_name": .text, "source_name": .text, "declared_type": .text, "added_by_run": .bigint,
            ])
            #expect(Set(try await h.declaredTypes("sluice_job_health").keys) == [
                "job", "last_status", "last_started_at", "last_finished_at", "last_success_at", "last_success_rows",
                "last_failure_at", "last_error", "last_error_kind", "finished_runs", "consecutive_failures",
            ])
        }
    }
}
