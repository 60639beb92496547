import SluiceCore
import Testing

/// `snapshot` mode: `<table>` and `<table>_latest`, `sluice_snapshots`, pruning, reloads and leftovers.
@Suite("Warehouse contract: snapshot mode")
struct SnapshotContractTests {
    @Test(arguments: Backend.allCases)
    func aDatasetIsVisibleOnlyOnceItsLastBatchCommits(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            #expect(try await h.warehouse.commit(snapshotBatch(["a", "b"], id: "d1", at: "2026-03-01 10:00:00", isLast: false),
                                                 job: "j", runID: 1) == 0)
            #expect(try await h.nameExists("devices") == false)
            #expect(try await h.warehouse.commit(snapshotBatch(["c"], id: "d1", at: "2026-03-01 10:00:00",
                                                               checkpoint: ["last_download_id": "d1"]), job: "j", runID: 1) == 3)
            #expect(try await h.scalar("SELECT count(*) FROM devices") == .integer(3))
            #expect(try await h.scalar("SELECT count(*) FROM devices_latest") == .integer(3))
            #expect(try await h.rows("SELECT table_name, snapshot_id, snapshot_at, run_id, rows FROM sluice_snapshots")
                == [[.text("devices"), .text("d1"), .text("2026-03-01 10:00:00"), .integer(1), .integer(3)]])
            #expect(try await h.rows("SELECT DISTINCT _sluice_snapshot_at, _sluice_snapshot_id, _sluice_run_id FROM devices")
                == [[.text("2026-03-01 10:00:00"), .text("d1"), .integer(1)]])
            #expect(try await h.declaredTypes("devices")["_sluice_snapshot_id"] == .text)
            #expect(try await h.declaredTypes("devices")["_sluice_snapshot_at"] == .timestamp)
            #expect(try await h.warehouse.state(job: "j") == ["last_download_id": "d1"])
        }
    }

    @Test(arguments: Backend.allCases)
    func anAbortedDatasetLeavesTheOldSnapshotAsTheLatest(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            _ = try await h.warehouse.commit(snapshotBatch(["a"], id: "d1", at: "2026-03-01 10:00:00"), job: "j", runID: 1)
            _ = try await h.warehouse.commit(snapshotBatch(["b", "c"], id: "d2", at: "2026-03-02 10:00:00", isLast: false),
                                             job: "j", runID: 2)
            // While d2 loads, its rows are stored but in neither view.
            #expect(try await h.storedSnapshotRows("devices") == 3)
            #expect(try await h.rows("SELECT device_name FROM devices") == [[.text("a")]])
            await h.warehouse.discardUnpublished(job: "j", runID: 2)
            #expect(try await h.rows("SELECT device_name FROM devices_latest") == [[.text("a")]])
            #expect(try await h.scalar("SELECT count(*) FROM sluice_snapshots") == .integer(1))
            #expect(try await h.storedSnapshotRows("devices") == 1)
            #expect(try await h.scalar("SELECT count(*) FROM sluice_pending") == .integer(0))
        }
    }

    @Test(arguments: Backend.allCases)
    func theLatestViewFollowsTheNewestSnapshotAndGainsNewColumns(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            _ = try await h.warehouse.commit(snapshotBatch(["new"], id: "d2", at: "2026-03-02 10:00:00"), job: "j", runID: 1)
            // An older dataset loaded later (a backfill) does not become the latest.
            _ = try await h.warehouse.commit(snapshotBatch(["old"], id: "d1", at: "2026-03-01 10:00:00"), job: "j", runID: 2)
            #expect(try await h.rows("SELECT device_name FROM devices_latest") == [[.text("new")]])
            let wider = [Column("Device Name", .text), Column("Battery", .bigint)]
            _ = try await h.warehouse.commit(snapshotBatch(["newer"], id: "d3", at: "2026-03-03 10:00:00", columns: wider),
                                             job: "j", runID: 3)
            #expect(try await h.rows("SELECT device_name, battery FROM devices_latest") == [[.text("newer"), .null]])
            #expect(try await h.rows("SELECT device_name, battery FROM devices ORDER BY device_name")
                == [[.text("new"), .null], [.text("newer"), .null], [.text("old"), .null]])
            #expect(try await h.declaredTypes("devices_latest")["battery"] == .bigint)
            #expect(try await h.declaredTypes("devices_latest")["_sluice_snapshot_at"] == .timestamp)
        }
    }

    @Test(arguments: Backend.allCases)
    func keepSnapshotsPrunesTheOldest(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            for day in 1...4 {
                _ = try await h.warehouse.commit(snapshotBatch(["r\(day)", "s\(day)"], id: "d\(day)",
                                                               at: "2026-03-0\(day) 10:00:00", keep: 2),
                                                 job: "j", runID: Int64(day))
            }
            #expect(try await h.rows("SELECT snapshot_id FROM sluice_snapshots ORDER BY snapshot_at") == [[.text("d3")], [.text("d4")]])
            #expect(try await h.scalar("SELECT count(*) FROM devices") == .integer(4))
            // The pruned snapshots' rows are removed right after the publish, not kept invisible.
            #expect(try await h.storedSnapshotRows("devices") == 4)
            #expect(try await h.scalar("SELECT count(*) FROM sluice_pending") == .integer(0))
        }
    }

    @Test(arguments: Backend.allCases)
    func reloadingTheSameDatasetReplacesItInsteadOfDuplicating(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            _ = try await h.warehouse.commit(snapshotBatch(["a", "b"], id: "d1", at: "2026-03-01 10:00:00"), job: "j", runID: 1)
            _ = try await h.warehouse.commit(snapshotBatch(["a"], id: "d1", at: "2026-03-01 10:00:00", isLast: false),
                                             job: "j", runID: 2)
            // The earlier load stays what readers see until the new one publishes.
            #expect(try await h.scalar("SELECT count(*) FROM devices") == .integer(2))
            #expect(try await h.rows("SELECT run_id FROM sluice_snapshots") == [[.integer(1)]])
            _ = try await h.warehouse.commit(snapshotBatch(["b"], id: "d1", at: "2026-03-01 10:00:00"), job: "j", runID: 2)
            #expect(try await h.scalar("SELECT count(*) FROM devices") == .integer(2))
            #expect(try await h.rows("SELECT rows, run_id FROM sluice_snapshots") == [[.integer(2), .integer(2)]])
            #expect(try await h.storedSnapshotRows("devices") == 2)
        }
    }

    @Test(arguments: Backend.allCases)
    func theRowsOfALoadCutOffByACrashAreRemovedBeforeTheJobsNextRun(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            _ = try await h.warehouse.commit(snapshotBatch(["a"], id: "d1", at: "2026-03-01 10:00:00"), job: "j", runID: 1)
            _ = try await h.warehouse.commit(snapshotBatch(["b", "c"], id: "d2", at: "2026-03-02 10:00:00", isLast: false),
                                             job: "j", runID: 2)
            try await h.reopen()  // the process died here: no discard, no publish
            #expect(try await h.storedSnapshotRows("devices") == 3)
            #expect(try await h.rows("SELECT device_name FROM devices") == [[.text("a")]])
            _ = try await h.warehouse.beginRun(job: "other", trigger: .manual)
            #expect(try await h.storedSnapshotRows("devices") == 3, "another job's run leaves j's rows")
            _ = try await h.warehouse.beginRun(job: "j", trigger: .manual)
            #expect(try await h.storedSnapshotRows("devices") == 1)
            #expect(try await h.scalar("SELECT count(*) FROM sluice_pending") == .integer(0))
        }
    }

    @Test(arguments: Backend.allCases)
    func aBatchWithoutSnapshotInfoIsRejected(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            var batch = snapshotBatch(["a"], id: "d1", at: "2026-03-01 10:00:00")
            batch.dataset = nil
            await #expect(throws: SluiceError.self) { try await h.warehouse.commit(batch, job: "j", runID: 1) }
        }
    }

    @Test(arguments: Backend.allCases)
    func aSnapshotTableAndAnUpsertTableCannotShareAName(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            _ = try await h.warehouse.commit(devicesBatch([[.integer(1), .text("a")]]), job: "u", runID: 1)
            let error = await #expect(throws: SluiceError.self) {
                try await h.warehouse.commit(snapshotBatch(["a"], id: "d1", at: "2026-03-01 10:00:00"), job: "s", runID: 2)
            }
            #expect(error?.kind == .config)
        }
    }
}
