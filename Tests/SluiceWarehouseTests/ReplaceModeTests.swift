import SluiceCore
import Testing
@testable import SluiceWarehouse

/// A replace-mode batch of device names.
func replaceBatch(_ names: [String], isLast: Bool = true, columns: [Column] = [Column("Device Name", .text)],
                  checkpoint: [String: String] = [:]) -> Batch {
    Batch(target: TableTarget(table: "devices", mode: .replace), columns: columns,
          rows: names.map { name in [.text(name)] + Array(repeating: Value.integer(7), count: columns.count - 1) },
          checkpoint: checkpoint, origin: "download",
          dataset: DatasetPart(id: "d", producedAt: "2026-03-01 10:00:00", name: "download d", isLast: isLast))
}

@Suite("Replace mode")
struct ReplaceModeTests {
    @Test func theTableSwapsToTheNewDatasetOnlyWhenItIsComplete() async throws {
        try await withWarehouse { warehouse, path in
            _ = try await warehouse.commit(replaceBatch(["a", "b", "c"]), job: "j", runID: 1)
            let reader = try openReader(path)
            #expect(try reader.scalar("SELECT count(*) FROM devices") == .integer(3))
            _ = try await warehouse.commit(replaceBatch(["x"], isLast: false), job: "j", runID: 2)
            #expect(try reader.rows("SELECT device_name FROM devices ORDER BY 1") == [[.text("a")], [.text("b")], [.text("c")]])
            _ = try await warehouse.commit(replaceBatch(["y"], checkpoint: ["last": "2"]), job: "j", runID: 2)
            #expect(try reader.rows("SELECT device_name, _sluice_run_id FROM devices ORDER BY 1")
                    == [[.text("x"), .integer(2)], [.text("y"), .integer(2)]])
            #expect(try await warehouse.state(job: "j") == ["last": "2"])
            #expect(try await warehouse.dataTableRowCounts().map(\.table) == ["devices"])
        }
    }

    @Test func anAbortedLoadKeepsTheOldRows() async throws {
        try await withWarehouse { warehouse, path in
            _ = try await warehouse.commit(replaceBatch(["a"]), job: "j", runID: 1)
            _ = try await warehouse.commit(replaceBatch(["x"], isLast: false), job: "j", runID: 2)
            await warehouse.discardUnpublished(job: "j", runID: 2)
            let reader = try openReader(path)
            #expect(try reader.rows("SELECT device_name FROM devices") == [[.text("a")]])
            // The next load works (no staging table was left behind).
            _ = try await warehouse.commit(replaceBatch(["z"]), job: "j", runID: 3)
            #expect(try reader.rows("SELECT device_name FROM devices") == [[.text("z")]])
        }
    }

    @Test func aColumnAddedMidLoadReachesTheTable() async throws {
        try await withWarehouse { warehouse, path in
            _ = try await warehouse.commit(replaceBatch(["a"]), job: "j", runID: 1)
            _ = try await warehouse.commit(replaceBatch(["x"], isLast: false), job: "j", runID: 2)
            let wider = [Column("Device Name", .text), Column("Battery", .bigint)]
            _ = try await warehouse.commit(replaceBatch(["y"], columns: wider), job: "j", runID: 2)
            let reader = try openReader(path)
            #expect(try reader.rows("SELECT device_name, battery FROM devices ORDER BY 1")
                    == [[.text("x"), .null], [.text("y"), .integer(7)]])
            #expect(try reader.declaredTypes("devices")["battery"] == "BIGINT")
        }
    }
}
