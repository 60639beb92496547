import Foundation
import SluiceCore
import Testing
@testable import SluiceWarehouse

@Suite("Runs and state")
struct RunsAndStateTests {
    @Test func aRunIsRecordedFromStartToFinish() async throws {
        try await withWarehouse { warehouse, _ in
            let id = try await warehouse.beginRun(job: "pbi", trigger: .schedule)
            let running = try #require(try await warehouse.lastRun(job: "pbi"))
            #expect(running == RunRecord(runID: id, job: "pbi", trigger: .schedule, startedAt: fixedNowText,
                                         finishedAt: nil, status: .running, rowsWritten: 0, requests: 0,
                                         bytesRead: 0, error: nil))

            try await warehouse.finishRun(id: id, status: .failed, rowsWritten: 12, requests: 3, bytesRead: 4096,
                                          error: "page 2: HTTP 503")
            let finished = try #require(try await warehouse.lastRun(job: "pbi"))
            #expect(finished.status == .failed)
            #expect(finished.finishedAt == fixedNowText)
            #expect(finished.rowsWritten == 12 && finished.requests == 3 && finished.bytesRead == 4096)
            #expect(finished.error == "page 2: HTTP 503")
        }
    }

    @Test func runsCutOffByACrashAreMarkedAbandoned() async throws {
        try await withWarehouse { warehouse, _ in
            let done = try await warehouse.beginRun(job: "a", trigger: .manual)
            try await warehouse.finishRun(id: done, status: .succeeded)
            _ = try await warehouse.beginRun(job: "a", trigger: .schedule)
            _ = try await warehouse.beginRun(job: "b", trigger: .backfill)

            #expect(try await warehouse.markAbandonedRuns() == 2)
            #expect(try await warehouse.markAbandonedRuns() == 0)
            #expect(try await warehouse.recentRuns(job: "a").map(\.status) == [.abandoned, .succeeded])
            #expect(try await warehouse.lastRun(job: "b")?.finishedAt == fixedNowText)
        }
    }

    @Test func statusQueriesSummariseEveryJob() async throws {
        try await withWarehouse { warehouse, _ in
            for (job, status) in [("b", RunStatus.succeeded), ("a", .succeeded), ("a", .failed), ("b", .unchanged)] {
                let id = try await warehouse.beginRun(job: job, trigger: .schedule)
                try await warehouse.finishRun(id: id, status: status)
            }
            #expect(try await warehouse.jobsWithRuns() == ["a", "b"])
            #expect(try await warehouse.lastRuns().map { "\($0.job):\($0.status.rawValue)" }
                == ["a:failed", "b:unchanged"])
            #expect(try await warehouse.lastRun(job: "a", status: .succeeded)?.runID == 2)
            #expect(try await warehouse.recentRuns(job: "b", limit: 1).map(\.runID) == [4])
            #expect(try await warehouse.lastRun(job: "none") == nil)
        }
    }

    @Test func finishingARunDiscardsWhatItNeverPublished() async throws {
        try await withWarehouse { warehouse, path in
            let id = try await warehouse.beginRun(job: "ws1", trigger: .schedule)
            _ = try await warehouse.commit(devicesBatch([[.integer(1), .text("a")]], part: .middle),
                                           job: "ws1", runID: id)
            _ = try await warehouse.commit(snapshotBatch(["x"], id: "s1", at: "2026-03-01 10:00:00", isLast: false,
                                                         table: "snapshots"), job: "ws1", runID: id)
            try await warehouse.finishRun(id: id, status: .failed, error: "truncated body")
            let reader = try openReader(path)
            #expect(try reader.scalar("SELECT count(*) FROM devices") == .integer(0))
            #expect(try reader.scalar("SELECT count(*) FROM sluice_rows_snapshots") == .integer(0))
            #expect(try reader.scalar("SELECT count(*) FROM sluice_pending") == .integer(0))
            #expect(try await warehouse.lastRun(job: "ws1")?.status == .failed)
            // Nothing staged survives either: the next dataset publishes only its own rows.
            let next = try await warehouse.beginRun(job: "ws1", trigger: .schedule)
            _ = try await warehouse.commit(devicesBatch([[.integer(2), .text("b")]], part: .last), job: "ws1", runID: next)
            #expect(try reader.rows("SELECT id FROM devices") == [[.integer(2)]])
        }
    }

    @Test func stateRoundTripsPerJob() async throws {
        try await withWarehouse { warehouse, path in
            try await warehouse.setState(job: "citrix", values: ["Sessions.watermark": "2024-01-01 00:00:00",
                                                                 "Machines.watermark": "x"])
            try await warehouse.setState(job: "citrix", values: ["Machines.watermark": "y"])
            try await warehouse.setState(job: "other", values: ["k": "v"])
            #expect(try await warehouse.state(job: "citrix")
                == ["Sessions.watermark": "2024-01-01 00:00:00", "Machines.watermark": "y"])
            #expect(try await warehouse.state(job: "nobody") == [:])
            #expect(try openReader(path).scalar("SELECT DISTINCT updated_at FROM sluice_state") == .text(fixedNowText))
        }
    }

    @Test func systemTablesHaveTheDocumentedColumnsTypesAndChecks() async throws {
        try await withWarehouse { _, path in
            let reader = try openReader(path)
            #expect(try reader.declaredTypes("sluice_runs") == [
                "run_id": "INTEGER", "job": "TEXT", "trigger": "TEXT", "started_at": "TIMESTAMP",
                "finished_at": "TIMESTAMP", "status": "TEXT", "rows_written": "BIGINT", "requests": "BIGINT",
                "bytes_read": "BIGINT", "error": "TEXT", "error_kind": "TEXT",
            ])
            #expect(try reader.declaredTypes("sluice_state") == [
                "job": "TEXT", "key": "TEXT", "value": "TEXT", "updated_at": "TIMESTAMP",
            ])
            #expect(try reader.declaredTypes("sluice_columns") == [
                "table_name": "TEXT", "column_name": "TEXT", "source_name": "TEXT", "declared_type": "TEXT",
                "added_by_run": "BIGINT",
            ])
            #expect(try reader.scalar("PRAGMA user_version") == .integer(Int64(Migrations.all.count)))
            #expect(try reader.scalar("PRAGMA journal_mode") == .text("wal"))

            let writer = try SQLiteDatabase(path: path)
            #expect(throws: SQLiteError.self) {
                try writer.execute("""
                    INSERT INTO sluice_runs(job, "trigger", started_at, status) VALUES ('j', 'schedule', 'x', 'odd')
                    """)
            }
        }
    }

    @Test func reopeningAMigratedFileKeepsItsData() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path + "/w.db"
        let first = try SQLiteWarehouse.open(path: path, now: { fixedNow })
        try await first.setState(job: "j", values: ["k": "v"])
        await first.close()
        let second = try SQLiteWarehouse.open(path: path, busyTimeoutMilliseconds: 100, now: { fixedNow })
        #expect(try await second.state(job: "j") == ["k": "v"])
        await second.close()
    }

    @Test func theWarehouseFilesAreNotWorldReadable() async throws {
        try await withWarehouse { warehouse, path in
            _ = try await warehouse.commit(devicesBatch([[.integer(1), .text("a")]]), job: "j", runID: 1)
            for file in [path, path + "-wal", path + "-shm"] {
                let attributes = try FileManager.default.attributesOfItem(atPath: file)
                let mode = try #require(attributes[.posixPermissions] as? Int)
                #expect(mode & 0o027 == 0, "\(file) has mode \(String(mode, radix: 8))")
            }
        }
    }

    @Test func aFileThatCannotBeCreatedIsAClearError() async throws {
        let path = "/nonexistent-dir-\(UUID().uuidString)/w.db"
        let error = #expect(throws: SluiceError.self) {
            _ = try SQLiteWarehouse.open(path: path)
        }
        #expect(error?.step == "open warehouse \(path)")
        // The path is what is wrong (a usage error), and the message says how to fix it.
        #expect(error?.kind == .config)
        #expect(error?.message.contains("does not exist; create it (mkdir -p") == true, "\(String(describing: error))")
    }
}
