import SluiceCore
import Testing
@testable import SluiceWarehouse

/// A snapshot-mode batch of `rows` device names for dataset `id`.
func snapshotBatch(_ names: [String], id: String, at: String, commit: CommitPoint = .now, keep: Int? = nil,
                   columns: [Column] = [Column("Device Name", .text)], checkpoint: [String: String] = [:]) -> Batch {
    Batch(target: TableTarget(table: "devices", mode: .snapshot, keepSnapshots: keep), columns: columns,
          rows: names.map { name in [.text(name)] + Array(repeating: Value.null, count: columns.count - 1) },
          checkpoint: checkpoint, commit: commit, origin: "download \(id)", snapshot: SnapshotInfo(id: id, at: at))
}

@Suite("Snapshot mode")
struct SnapshotModeTests {
    @Test func aDatasetIsVisibleOnlyOnceItsLastBatchCommits() async throws {
        try await withWarehouse { warehouse, path in
            _ = try await warehouse.commit(snapshotBatch(["a", "b"], id: "d1", at: "2026-03-01 10:00:00", commit: .deferred),
                                           job: "j", runID: 1)
            let reader = try openReader(path)
            #expect(try reader.tableExists("devices") == false)
            _ = try await warehouse.commit(snapshotBatch(["c"], id: "d1", at: "2026-03-01 10:00:00",
                                                         checkpoint: ["last_download_id": "d1"]), job: "j", runID: 1)
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
            _ = try await warehouse.commit(snapshotBatch(["b", "c"], id: "d2", at: "2026-03-02 10:00:00", commit: .deferred),
                                           job: "j", runID: 2)
            await warehouse.abortPending(job: "j")
            let reader = try openReader(path)
            #expect(try reader.rows("SELECT device_name FROM devices_latest") == [[.text("a")]])
            #expect(try reader.scalar("SELECT count(*) FROM sluice_snapshots") == .integer(1))
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
        }
    }

    @Test func reloadingTheSameDatasetReplacesItInsteadOfDuplicating() async throws {
        try await withWarehouse { warehouse, path in
            _ = try await warehouse.commit(snapshotBatch(["a", "b"], id: "d1", at: "2026-03-01 10:00:00"), job: "j", runID: 1)
            _ = try await warehouse.commit(snapshotBatch(["a"], id: "d1", at: "2026-03-01 10:00:00", commit: .deferred),
                                           job: "j", runID: 2)
            _ = try await warehouse.commit(snapshotBatch(["b"], id: "d1", at: "2026-03-01 10:00:00"), job: "j", runID: 2)
            let reader = try openReader(path)
            #expect(try reader.scalar("SELECT count(*) FROM devices") == .integer(2))
            #expect(try reader.rows("SELECT rows, run_id FROM sluice_snapshots") == [[.integer(2), .integer(2)]])
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
            #expect(try reader.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'devices'")
                    == .integer(0))
            let plan = try reader.rows("EXPLAIN QUERY PLAN SELECT * FROM devices_latest").map { "\($0[3])" }.joined(separator: " | ")
            #expect(plan.contains("SEARCH devices USING INTEGER PRIMARY KEY"), "\(plan)")
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

    @Test func aWarehouseFromBeforeTheRowidRangeIsUpgradedOnTheNextLoad() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path + "/warehouse.db"
        do {
            let warehouse = try Warehouse.open(path: path, now: { fixedNow })
            _ = try await warehouse.commit(snapshotBatch(["a", "b"], id: "d1", at: "2026-03-01 10:00:00"), job: "j", runID: 1)
            _ = try await warehouse.commit(snapshotBatch(["c"], id: "d2", at: "2026-03-02 10:00:00"), job: "j", runID: 2)
            // What an earlier version left: no range columns, and an index on the snapshot id.
            let writer = try SQLiteDatabase(path: path)
            try writer.execute("""
                CREATE TABLE old_snapshots AS SELECT table_name, snapshot_id, snapshot_at, run_id, rows, completed_at
                FROM sluice_snapshots;
                DROP TABLE sluice_snapshots;
                CREATE TABLE sluice_snapshots(table_name TEXT NOT NULL, snapshot_id TEXT NOT NULL,
                    snapshot_at TIMESTAMP NOT NULL, run_id BIGINT, rows BIGINT NOT NULL, completed_at TIMESTAMP NOT NULL,
                    PRIMARY KEY (table_name, snapshot_id));
                INSERT INTO sluice_snapshots SELECT * FROM old_snapshots;
                DROP TABLE old_snapshots;
                CREATE INDEX devices_sluice_snapshot ON devices(_sluice_snapshot_id);
                """)
            writer.close()
            await warehouse.close()
        }
        do {
            let reopened = try Warehouse.open(path: path, now: { fixedNow })
            _ = try await reopened.commit(snapshotBatch(["d", "e"], id: "d3", at: "2026-03-03 10:00:00", keep: 2),
                                          job: "j", runID: 3)
            let reader = try openReader(path)
            #expect(try reader.rows("SELECT snapshot_id, first_rowid, last_rowid FROM sluice_snapshots ORDER BY snapshot_at")
                    == [[.text("d2"), .integer(3), .integer(3)], [.text("d3"), .integer(4), .integer(5)]])
            #expect(try reader.rows("SELECT device_name FROM devices ORDER BY rowid") == [[.text("c")], [.text("d")], [.text("e")]])
            #expect(try reader.rows("SELECT device_name FROM devices_latest") == [[.text("d")], [.text("e")]])
            #expect(try reader.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'devices'")
                    == .integer(0))
            #expect(try await reopened.integrityCheck() == "ok")
            await reopened.close()
        }
    }

    @Test func aBatchWithoutSnapshotInfoIsRejected() async throws {
        try await withWarehouse { warehouse, _ in
            var batch = snapshotBatch(["a"], id: "d1", at: "2026-03-01 10:00:00")
            batch.snapshot = nil
            await #expect(throws: SluiceError.self) { try await warehouse.commit(batch, job: "j", runID: 1) }
        }
    }
}
