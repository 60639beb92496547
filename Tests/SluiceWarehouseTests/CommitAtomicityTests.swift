import SluiceCore
import Testing
@testable import SluiceWarehouse

@Suite("Commit atomicity")
struct CommitAtomicityTests {
    @Test(arguments: [FaultPoint.afterRows, .afterCheckpoint])
    func aFailureBetweenRowsAndCheckpointLeavesNeitherVisible(point: FaultPoint) async throws {
        try await withWarehouse { warehouse, path in
            _ = try await warehouse.commit(devicesBatch([[.integer(1), .text("a")]], checkpoint: ["cursor": "1"]),
                                           job: "j", runID: 1)
            await warehouse.setFaultHook { if $0 == point { throw InjectedFault() } }
            // This page also adds a column, so the rollback must undo DDL too.
            let page2 = devicesBatch([[.integer(2), .text("b"), .text("new")]],
                                     columns: [Column("Id", .bigint), Column("Name", .text), Column("Extra", .text)],
                                     checkpoint: ["cursor": "2"], origin: "page 2")
            await #expect(throws: SluiceError.self) { try await warehouse.commit(page2, job: "j", runID: 1) }

            let reader = try openReader(path)
            #expect(try reader.scalar("SELECT count(*) FROM devices") == .integer(1))
            #expect(try reader.declaredTypes("devices")["extra"] == nil)
            #expect(try reader.scalar("SELECT count(*) FROM sluice_columns WHERE column_name = 'extra'") == .integer(0))
            #expect(try await warehouse.state(job: "j") == ["cursor": "1"])

            // The caches forgot the rolled-back ALTER: the same page succeeds once the fault is gone.
            await warehouse.setFaultHook(nil)
            #expect(try await warehouse.commit(page2, job: "j", runID: 2) == 1)
            #expect(try reader.scalar("SELECT extra FROM devices WHERE id = 2") == .text("new"))
            #expect(try await warehouse.state(job: "j") == ["cursor": "2"])
        }
    }

    @Test func aFailedFirstPageLeavesNoTable() async throws {
        try await withWarehouse { warehouse, path in
            let reader = try openReader(path)
            await warehouse.setFaultHook { _ in throw InjectedFault() }
            await #expect(throws: SluiceError.self) {
                try await warehouse.commit(devicesBatch([[.integer(1), .text("a")]], checkpoint: ["c": "1"]),
                                           job: "j", runID: 1)
            }
            #expect(try reader.tableExists("devices") == false)
            #expect(try await warehouse.state(job: "j").isEmpty)
        }
    }

    @Test func datasetPartsStayInvisibleUntilTheLastPartPublishes() async throws {
        try await withWarehouse { warehouse, path in
            let reader = try openReader(path)
            for part in 1...2 {
                let batch = devicesBatch([[.integer(Int64(part)), .text("part \(part)")]], part: .middle,
                                         origin: "download d1, part \(part)")
                #expect(try await warehouse.commit(batch, job: "ws1", runID: 1) == 0)
                #expect(try reader.scalar("SELECT count(*) FROM devices") == .integer(0))
            }
            let last = devicesBatch([[.integer(3), .text("part 3")]], checkpoint: ["download": "d1"], part: .last,
                                    origin: "download d1, part 3")
            #expect(try await warehouse.commit(last, job: "ws1", runID: 1) == 3)
            #expect(try reader.scalar("SELECT count(*) FROM devices") == .integer(3))
            #expect(try reader.scalar("SELECT value FROM sluice_state WHERE job = 'ws1'") == .text("d1"))
        }
    }

    @Test func aDatasetPartHoldsNoTransactionOpenBetweenParts() async throws {
        try await withWarehouse { warehouse, path in
            _ = try await warehouse.commit(devicesBatch([[.integer(1), .text("a")]], part: .middle), job: "ws1", runID: 1)
            _ = try await warehouse.commit(snapshotBatch(["x"], id: "d9", at: "2026-03-01 10:00:00", isLast: false,
                                                         table: "snapshots"), job: "snap", runID: 2)
            // Another connection takes the write lock at once: nothing is held open while the next part downloads.
            let other = try SQLiteDatabase(path: path, busyTimeoutMilliseconds: 0)
            try other.execute("BEGIN IMMEDIATE")
            try other.execute("ROLLBACK")
            other.close()
        }
    }

    @Test func discardingAFailedRunLeavesTheCheckpointAndTheTableAsTheyWere() async throws {
        try await withWarehouse { warehouse, path in
            try await warehouse.setState(job: "ws1", values: ["download": "d0"])
            let part = devicesBatch([[.integer(1), .text("a")]], part: .middle)
            _ = try await warehouse.commit(part, job: "ws1", runID: 1)
            await warehouse.discardUnpublished(job: "ws1", runID: 1)
            // Publishing what is left must not bring the discarded part back.
            let last = devicesBatch([[.integer(2), .text("b")]], checkpoint: ["download": "d1"], part: .last)
            _ = try await warehouse.commit(last, job: "ws1", runID: 2)
            #expect(try openReader(path).rows("SELECT id FROM devices") == [[.integer(2)]])
        }
    }

    @Test func anotherJobsPageCommitsWhileADatasetIsLoading() async throws {
        try await withWarehouse { warehouse, path in
            let partA = devicesBatch([[.integer(1), .text("a")]], table: "a_rows", part: .middle)
            _ = try await warehouse.commit(partA, job: "a", runID: 1)

            let pageB = devicesBatch([[.integer(1), .text("b")]], table: "b_rows", checkpoint: ["cursor": "1"])
            #expect(try await warehouse.commit(pageB, job: "b", runID: 2) == 1)
            let reader = try openReader(path)
            #expect(try reader.scalar("SELECT count(*) FROM b_rows") == .integer(1))
            #expect(try reader.scalar("SELECT count(*) FROM a_rows") == .integer(0))
            #expect(try await warehouse.state(job: "b") == ["cursor": "1"])

            let lastA = devicesBatch([[.integer(2), .text("a2")]], table: "a_rows", checkpoint: ["download": "d1"], part: .last)
            #expect(try await warehouse.commit(lastA, job: "a", runID: 1) == 2)
            #expect(try reader.scalar("SELECT count(*) FROM a_rows") == .integer(2))
        }
    }

    @Test func aWALReaderSeesAPageEitherWhollyBeforeOrWhollyAfter() async throws {
        try await withWarehouse { warehouse, path in
            _ = try await warehouse.commit(devicesBatch([[.integer(1), .text("a")]]), job: "j", runID: 1)
            let reader = try openReader(path)
            try reader.execute("BEGIN")
            #expect(try reader.scalar("SELECT count(*) FROM devices") == .integer(1))

            // The open read transaction does not block the writer…
            let page: [[Value]] = (2...50).map { [.integer(Int64($0)), .text("row \($0)")] }
            #expect(try await warehouse.commit(devicesBatch(page, checkpoint: ["cursor": "50"]), job: "j", runID: 1)
                == 49)
            // …and keeps seeing the state before the page, rows and checkpoint alike.
            #expect(try reader.scalar("SELECT count(*) FROM devices") == .integer(1))
            #expect(try reader.scalar("SELECT count(*) FROM sluice_state") == .integer(0))
            try reader.execute("COMMIT")

            #expect(try reader.scalar("SELECT count(*) FROM devices") == .integer(50))
            #expect(try reader.scalar("SELECT value FROM sluice_state WHERE key = 'cursor'") == .text("50"))
        }
    }

    @Test func aPageWithoutRowsOnlyAdvancesTheCheckpoint() async throws {
        try await withWarehouse { warehouse, path in
            let reader = try openReader(path)
            let empty = Batch(target: TableTarget(table: "events", mode: .upsert, primaryKey: ["Id"]), columns: [],
                              rows: [], checkpoint: ["window": "2024-01-01"], origin: "page 3")
            #expect(try await warehouse.commit(empty, job: "pbi", runID: 1) == 0)
            #expect(try await warehouse.state(job: "pbi") == ["window": "2024-01-01"])
            #expect(try reader.nameExists("events") == false)
        }
    }
}
