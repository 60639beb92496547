import SluiceCore
import Testing

/// Rows and checkpoints become visible together or not at all; dataset parts only when the last one publishes.
@Suite("Warehouse contract: atomicity")
struct AtomicityContractTests {
    @Test(arguments: Backend.allCases)
    func aFailedPageLeavesNeitherRowsNorColumnNorCheckpoint(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            _ = try await h.warehouse.commit(devicesBatch([[.integer(1), .text("a")]], checkpoint: ["cursor": "1"]),
                                             job: "j", runID: 1)
            // This page adds a column and fails at its second row, so the rollback must undo DDL too.
            let columns = [Column("Id", .bigint), Column("Name", .text), Column("Extra", .text)]
            let bad = devicesBatch([[.integer(2), .text("b"), .text("new")], [.null, .text("c"), .null]], columns: columns,
                                   checkpoint: ["cursor": "2"], origin: "page 2")
            let error = await #expect(throws: SluiceError.self) { try await h.warehouse.commit(bad, job: "j", runID: 1) }
            #expect(error?.step.contains("page 2") == true)
            #expect(error?.description.contains("row 2") == true, "\(String(describing: error))")
            #expect(try await h.scalar("SELECT count(*) FROM devices") == .integer(1))
            #expect(try await h.declaredTypes("devices")["extra"] == nil)
            #expect(try await h.scalar("SELECT count(*) FROM sluice_columns WHERE column_name = 'extra'") == .integer(0))
            #expect(try await h.warehouse.state(job: "j") == ["cursor": "1"])

            // Nothing remembers the rolled-back column: the page succeeds once it is valid.
            let good = devicesBatch([[.integer(2), .text("b"), .text("new")]], columns: columns, checkpoint: ["cursor": "2"],
                                    origin: "page 2")
            #expect(try await h.warehouse.commit(good, job: "j", runID: 2) == 1)
            #expect(try await h.scalar("SELECT extra FROM devices WHERE id = 2") == .text("new"))
            #expect(try await h.warehouse.state(job: "j") == ["cursor": "2"])
        }
    }

    @Test(arguments: Backend.allCases)
    func aFailedFirstPageLeavesNoTable(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            let batch = devicesBatch([[.integer(1), .text("a")], [.integer(2)]], checkpoint: ["cursor": "2"])
            let error = await #expect(throws: SluiceError.self) { try await h.warehouse.commit(batch, job: "j", runID: 1) }
            #expect(error?.step.contains("row 2") == true)
            #expect(try await h.nameExists("devices") == false)
            #expect(try await h.warehouse.state(job: "j").isEmpty)
        }
    }

    @Test(arguments: Backend.allCases)
    func datasetPartsStayInvisibleUntilTheLastPartPublishes(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            _ = try await h.warehouse.commit(devicesBatch([[.integer(0), .text("old")]]), job: "ws1", runID: 1)
            for part in 1...2 {
                let batch = devicesBatch([[.integer(Int64(part)), .text("part \(part)")]], part: .middle,
                                         origin: "download d1, part \(part)")
                #expect(try await h.warehouse.commit(batch, job: "ws1", runID: 2) == 0)
                #expect(try await h.scalar("SELECT count(*) FROM devices") == .integer(1))
            }
            let last = devicesBatch([[.integer(3), .text("part 3")]], checkpoint: ["download": "d1"], part: .last,
                                    origin: "download d1, part 3")
            #expect(try await h.warehouse.commit(last, job: "ws1", runID: 2) == 3)
            #expect(try await h.scalar("SELECT count(*) FROM devices") == .integer(4))
            #expect(try await h.scalar("SELECT value FROM sluice_state WHERE job = 'ws1'") == .text("d1"))
        }
    }

    @Test(arguments: Backend.allCases)
    func discardingAFailedRunLeavesTheCheckpointAndTheTableAsTheyWere(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            _ = try await h.warehouse.commit(devicesBatch([[.integer(9), .text("z")]], checkpoint: ["download": "d0"]),
                                             job: "ws1", runID: 1)
            _ = try await h.warehouse.commit(devicesBatch([[.integer(1), .text("a")]], part: .middle), job: "ws1", runID: 2)
            await h.warehouse.discardUnpublished(job: "ws1", runID: 2)
            #expect(try await h.warehouse.state(job: "ws1") == ["download": "d0"])
            let last = devicesBatch([[.integer(2), .text("b")]], checkpoint: ["download": "d1"], part: .last)
            _ = try await h.warehouse.commit(last, job: "ws1", runID: 3)
            #expect(try await h.rows("SELECT id FROM devices ORDER BY id") == [[.integer(2)], [.integer(9)]])
        }
    }

    @Test(arguments: Backend.allCases)
    func anotherJobsPageCommitsWhileADatasetIsLoading(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            _ = try await h.warehouse.commit(devicesBatch([[.integer(1), .text("a")]], table: "a_rows", part: .middle),
                                             job: "a", runID: 1)
            let pageB = devicesBatch([[.integer(1), .text("b")]], table: "b_rows", checkpoint: ["cursor": "1"])
            #expect(try await h.warehouse.commit(pageB, job: "b", runID: 2) == 1)
            #expect(try await h.scalar("SELECT count(*) FROM b_rows") == .integer(1))
            #expect(try await h.scalar("SELECT count(*) FROM a_rows") == .integer(0))
            let lastA = devicesBatch([[.integer(2), .text("a2")]], table: "a_rows", checkpoint: ["download": "d1"], part: .last)
            #expect(try await h.warehouse.commit(lastA, job: "a", runID: 1) == 2)
            #expect(try await h.scalar("SELECT count(*) FROM a_rows") == .integer(2))
        }
    }

    @Test(arguments: Backend.allCases)
    func aPageWithoutRowsOnlyAdvancesTheCheckpoint(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            let empty = Batch(target: TableTarget(table: "events", mode: .upsert, primaryKey: ["Id"]), columns: [],
                              rows: [], checkpoint: ["window": "2024-01-01"], origin: "page 3")
            #expect(try await h.warehouse.commit(empty, job: "pbi", runID: 1) == 0)
            #expect(try await h.warehouse.state(job: "pbi") == ["window": "2024-01-01"])
            #expect(try await h.nameExists("events") == false)
        }
    }

    @Test(arguments: Backend.allCases)
    func aKeyAppearingTwiceInOneDatasetKeepsItsLastRow(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            let rows: [[Value]] = [[.integer(1), .text("first")], [.integer(2), .text("x")], [.integer(1), .text("last")]]
            _ = try await h.warehouse.commit(devicesBatch(rows, part: .last), job: "ws1", runID: 1)
            #expect(try await h.rows("SELECT id, name FROM devices ORDER BY id") == [[.integer(1), .text("last")], [.integer(2), .text("x")]])
        }
    }
}
