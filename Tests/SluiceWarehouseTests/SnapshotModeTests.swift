import SluiceCore
import Testing
@testable import SluiceWarehouse

/// A snapshot-mode batch of `rows` device names: a part of dataset `id` (the last one unless `isLast` is false).
func snapshotBatch(_ names: [String], id: String, at: String, isLast: Bool = true, keep: Int? = nil,
                   columns: [Column] = [Column("Device Name", .text)], checkpoint: [String: String] = [:],
                   table: String = "devices") -> Batch {
    Batch(target: TableTarget(table: table, mode: .snapshot, keepSnapshots: keep), columns: columns,
          rows: names.map { name in [.text(name)] + Array(repeating: Value.null, count: columns.count - 1) },
          checkpoint: checkpoint, origin: "download \(id)",
          dataset: DatasetPart(id: id, producedAt: at, name: "download \(id)", isLast: isLast))
}

@Suite("Snapshot mode")
struct SnapshotModeTests {
    @Test func aDatasetIsVisibleOnlyOnceItsLastBatchCommits() async throws {
        try await withWarehouse { warehouse, path in
            #expect(try await warehouse.commit(snapshotBatch(["a", "b"], id: "d1", at: "2026-03-01 10:00:00", isLast: false),
                                               job: "j", runID: 1) == 0)
            let reader = try openReader(path)
            #expect(try reader.nameExists("devices") == false)
            #expect(try await warehouse.commit(snapshotBatch(["c"], id: "d1", at: "2026-03-01 10:00:00",
                                                             checkpoint: ["last_download_id": "d1"]), job: "j", runID: 1) == 3)
            #expect(try reader.scalar("SELECT count(*) FROM devices") == .integer(3))
            #expect(try reader.scalar("SELECT count(*) FROM devices_latest") == .integer(3))
            #expect(try reader.rows("SELECT table_name, snapshot_id, snapshot_at, run_id, rows FROM sluice_snapshots")
                    == [[.text("devices"), .text("d1"), .text("2026-03-01 10:00:00"), .integer(1), .integer(3)]])
            #expect(try reader.scalar("SELECT DISTINCT _sluice_snapshot_at FROM devices") == .text("2026-03-01 10:00:00"))
            #expect(try reader.declaredTypes("devices")["_sluice_snapshot_id"] == "TEXT")
            #expect(try await warehouse.state(job: "j") == ["last_download_id": "d1"])
        }
    }

    @Test func anAbortedDatasetLeavesTheOldSnapshotAsTheLatest() async throws {
        try await withWarehouse { warehouse, path in
            _ = try await warehouse.commit(snapshotBatch(["a"], id: "d1", at: "2026-03-01 10:00:00"), job: "j", runID: 1)
            _ = try await warehouse.commit(snapshotBatch(["b", "c"], id: "d2", at: "2026-03-02 10:00:00", isLast: false),
                                           job: "j", runID: 2)
            let reader = try openReader(path)
            // While d2 loads, its rows are in the row table but in neither view.
            #expect(try reader.scalar("SELECT count(*) FROM sluice_rows_devices") == .integer(3))
            #expect(try reader.rows("SELECT device_name FROM devices") == [[.text("a")]])
            await warehouse.discardUnpublished(job: "j", runID: 2)
            #expect(try reader.rows("SELECT device_name FROM devices_latest") == [[.text("a")]])
            #expect(try reader.scalar("SELECT count(*) FROM sluice_snapshots") == .integer(1))
            #expect(try reader.scalar("SELECT count(*) FROM sluice_rows_devices") == .integer(1))
            #expect(try reader.scalar("SELECT count(*) FROM sluice_pending") == .integer(0))
        }
    }

    @Test func theLatestViewFollowsTheNewestSnapshotAndGainsNewColumns() async throws {
        try await withWarehouse { warehouse, path in
            _ = try await warehouse.commit(snapshotBatch(["new"], id: "d2", at: "2026-03-02 10:00:00"), job: "j", runID: 1)
            // An older dataset loaded later (a backfill) does not become the latest.
            _ = try await warehouse.commit(snapshotBatch(["old"], id: "d1", at: "2026-03-01 10:00:00"), job: "j", runID: 2)
            let reader = try openReader(path)
            #expect(try reader.rows("SELECT device_name FROM devices_latest") == [[.text("new")]])
            let wider = [Column("Device Name", .text), Column("Battery", .bigint)]
            _ = try await warehouse.commit(snapshotBatch(["newer"], id: "d3", at: "2026-03-03 10:00:00", columns: wider),
                                           job: "j", runID: 3)
            #expect(try reader.rows("SELECT device_name, battery FROM devices_latest") == [[.text("newer"), .null]])
            // Plain columns only: every view column has the table column's declared type.
            #expect(try reader.declaredTypes("devices_latest")["battery"] == "BIGINT")
            #expect(try reader.declaredTypes("devices_latest")["_sluice_snapshot_at"] == "TIMESTAMP")
        }
    }

    @Test func keepSnapshotsPrunesTheOldestInTheSameTransaction() async throws {
        try await withWarehouse { warehouse, path in
            for day in 1...4 {
                _ = try await warehouse.commit(snapshotBatch(["r\(day)", "s\(day)"], id: "d\(day)", at: "2026-03-0\(day) 10:00:00",
                                                             keep: 2), job: "j", runID: Int64(day))
            }
            let reader = try openReader(path)
            #expect(try reader.rows("SELECT snapshot_id FROM sluice_snapshots ORDER BY snapshot_at") == [[.text("d3")], [.text("d4")]])
            #expect(try reader.scalar("SELECT count(*) FROM devices") == .integer(4))
            // The pruned snapshots' rows are deleted right after the publish, not kept invisible.
            #expect(try reader.scalar("SELECT count(*) FROM sluice_rows_devices") == .integer(4))
            #expect(try reader.scalar("SELECT count(*) FROM sluice_pending") == .integer(0))
        }
    }

    @Test func reloadingTheSameDatasetReplacesItInsteadOfDuplicating() async throws {
        try await withWarehouse { warehouse, path in
            _ = try await warehouse.commit(snapshotBatch(["a", "b"], id: "d1", at: "2026-03-01 10:00:00"), job: "j", runID: 1)
            _ = try await warehouse.commit(snapshotBatch(["a"], id: "d1", at: "2026-03-01 10:00:00", isLast: false),
                                           job: "j", runID: 2)
            let reader = try openReader(path)
            // The earlier load stays what readers see until the new one publishes.
            #expect(try reader.scalar("SELECT count(*) FROM devices") == .integer(2))
            #expect(try reader.rows("SELECT run_id FROM sluice_snapshots") == [[.integer(1)]])
            _ = try await warehouse.commit(snapshotBatch(["b"], id: "d1", at: "2026-03-01 10:00:00"), job: "j", runID: 2)
            #expect(try reader.scalar("SELECT count(*) FROM devices") == .integer(2))
            #expect(try reader.rows("SELECT rows, run_id FROM sluice_snapshots") == [[.integer(2), .integer(2)]])
            #expect(try reader.scalar("SELECT count(*) FROM sluice_rows_devices") == .integer(2))
        }
    }

    @Test func theLatestViewSeeksTheSnapshotsRowidRangeWithoutAnIndex() async throws {
        try await withWarehouse { warehouse, path in
            for day in 1...3 {
                _ = try await warehouse.commit(snapshotBatch((1...day).map { "r\(day).\($0)" }, id: "d\(day)",
                                                             at: "2026-03-0\(day) 10:00:00"), job: "j", runID: Int64(day))
            }
            let reader = try openReader(path)
            #expect(try reader.rows("SELECT snapshot_id, first_rowid, last_rowid, rows FROM sluice_snapshots ORDER BY snapshot_at")
                    == [[.text("d1"), .integer(1), .integer(1), .integer(1)],
                        [.text("d2"), .integer(2), .integer(3), .integer(2)],
                        [.text("d3"), .integer(4), .integer(6), .integer(3)]])
            #expect(try reader.rows("SELECT device_name FROM devices_latest") == [[.text("r3.1")], [.text("r3.2")], [.text("r3.3")]])
            #expect(try reader.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'sluice_rows_devices'")
                    == .integer(0))
            for view in ["devices", "devices_latest"] {
                let plan = try reader.rows("EXPLAIN QUERY PLAN SELECT * FROM \(view)").map { "\($0[3])" }.joined(separator: " | ")
                #expect(plan.contains("SEARCH r USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)"), "\(view): \(plan)")
            }
        }
    }

    @Test func aDataColumnCalledRowidDoesNotConfuseTheRange() async throws {
        try await withWarehouse { warehouse, path in
            let columns = [Column("rowid", .text), Column("oid", .text)]
            for day in 1...2 {
                var batch = snapshotBatch(["x\(day)"], id: "d\(day)", at: "2026-03-0\(day) 10:00:00", keep: 1, columns: columns)
                batch.rows = [[.text("r\(day)"), .text("o\(day)")]]
                _ = try await warehouse.commit(batch, job: "j", runID: Int64(day))
            }
            let reader = try openReader(path)
            #expect(try reader.rows("SELECT rowid, oid FROM devices_latest") == [[.text("r2"), .text("o2")]])
            #expect(try reader.rows("SELECT rowid, oid FROM devices") == [[.text("r2"), .text("o2")]])
        }
    }

    @Test func aSnapshotTableOfAnOlderSluiceBecomesTheRowTableBehindTheViews() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path + "/warehouse.db"
        do {
            // What an earlier version left: the rows in `devices` itself, no rowid ranges, an index on the id.
            let warehouse = try SQLiteWarehouse.open(path: path, now: { fixedNow })
            await warehouse.close()
            let writer = try SQLiteDatabase(path: path)
            try writer.execute("""
                CREATE TABLE devices(device_name TEXT, _sluice_run_id BIGINT, _sluice_loaded_at TIMESTAMP,
                    _sluice_snapshot_id TEXT, _sluice_snapshot_at TIMESTAMP);
                INSERT INTO sluice_columns VALUES ('devices', 'device_name', 'Device Name', 'TEXT', 1);
                INSERT INTO devices VALUES ('a', 1, '2026-03-01 10:00:00', 'd1', '2026-03-01 10:00:00'),
                    ('b', 1, '2026-03-01 10:00:00', 'd1', '2026-03-01 10:00:00'),
                    ('c', 2, '2026-03-02 10:00:00', 'd2', '2026-03-02 10:00:00');
                CREATE TABLE sluice_snapshots(table_name TEXT NOT NULL, snapshot_id TEXT NOT NULL,
                    snapshot_at TIMESTAMP NOT NULL, run_id BIGINT, rows BIGINT NOT NULL, completed_at TIMESTAMP NOT NULL,
                    PRIMARY KEY (table_name, snapshot_id));
                INSERT INTO sluice_snapshots VALUES ('devices', 'd1', '2026-03-01 10:00:00', 1, 2, '2026-03-01 10:00:00'),
                    ('devices', 'd2', '2026-03-02 10:00:00', 2, 1, '2026-03-02 10:00:00');
                CREATE INDEX devices_sluice_snapshot ON devices(_sluice_snapshot_id);
                CREATE VIEW devices_latest AS SELECT * FROM devices WHERE _sluice_snapshot_id = 'd2';
                """)
            writer.close()
        }
        do {
            let reopened = try SQLiteWarehouse.open(path: path, now: { fixedNow })
            _ = try await reopened.commit(snapshotBatch(["d", "e"], id: "d3", at: "2026-03-03 10:00:00", keep: 2),
                                          job: "j", runID: 3)
            let reader = try openReader(path)
            #expect(try reader.scalar("SELECT type FROM sqlite_master WHERE name = 'devices'") == .text("view"))
            #expect(try reader.rows("SELECT snapshot_id, first_rowid, last_rowid FROM sluice_snapshots ORDER BY snapshot_at")
                    == [[.text("d2"), .integer(3), .integer(3)], [.text("d3"), .integer(4), .integer(5)]])
            #expect(try reader.rows("SELECT device_name FROM devices ORDER BY device_name") == [[.text("c")], [.text("d")], [.text("e")]])
            #expect(try reader.rows("SELECT device_name FROM devices_latest") == [[.text("d")], [.text("e")]])
            #expect(try reader.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'sluice_rows_devices'")
                    == .integer(0))
            #expect(try reader.scalar("SELECT count(*) FROM sluice_rows_devices") == .integer(3))
            #expect(try await reopened.integrityCheck() == "ok")
            await reopened.close()
        }
    }

    @Test func theRowsOfALoadCutOffByACrashAreRemovedBeforeTheJobsNextRun() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path + "/warehouse.db"
        let warehouse = try SQLiteWarehouse.open(path: path, now: { fixedNow })
        _ = try await warehouse.commit(snapshotBatch(["a"], id: "d1", at: "2026-03-01 10:00:00"), job: "j", runID: 1)
        _ = try await warehouse.commit(snapshotBatch(["b", "c"], id: "d2", at: "2026-03-02 10:00:00", isLast: false),
                                       job: "j", runID: 2)
        await warehouse.close()  // the process dies here: no discard, no publish
        let reopened = try SQLiteWarehouse.open(path: path, now: { fixedNow })
        let reader = try openReader(path)
        #expect(try reader.scalar("SELECT count(*) FROM sluice_rows_devices") == .integer(3))
        #expect(try reader.rows("SELECT device_name FROM devices") == [[.text("a")]])
        _ = try await reopened.beginRun(job: "other", trigger: .manual)
        #expect(try reader.scalar("SELECT count(*) FROM sluice_rows_devices") == .integer(3), "another job's run leaves j's rows")
        _ = try await reopened.beginRun(job: "j", trigger: .manual)
        #expect(try reader.scalar("SELECT count(*) FROM sluice_rows_devices") == .integer(1))
        #expect(try reader.scalar("SELECT count(*) FROM sluice_pending") == .integer(0))
        #expect(try await reopened.integrityCheck() == "ok")
        await reopened.close()
    }

    @Test func aBatchWithoutSnapshotInfoIsRejected() async throws {
        try await withWarehouse { warehouse, _ in
            var batch = snapshotBatch(["a"], id: "d1", at: "2026-03-01 10:00:00")
            batch.dataset = nil
            await #expect(throws: SluiceError.self) { try await warehouse.commit(batch, job: "j", runID: 1) }
        }
    }
}
