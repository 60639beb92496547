import SluiceCore
import Testing
@testable import SluiceWarehouse

@Suite("Upsert")
struct UpsertTests {
    let page: [[Value]] = [[.integer(1), .text("alpha")], [.integer(2), .text("beta")], [.integer(3), .null]]

    @Test func readingTheSamePageTwiceWritesNothingTheSecondTime() async throws {
        try await withWarehouse { warehouse, path in
            #expect(try await warehouse.commit(devicesBatch(page), job: "j", runID: 1) == 3)
            let reader = try openReader(path)
            let before = try reader.rows("SELECT * FROM devices ORDER BY id")

            #expect(try await warehouse.commit(devicesBatch(page), job: "j", runID: 2) == 0)
            let after = try reader.rows("SELECT * FROM devices ORDER BY id")
            #expect(after == before)
            // The unchanged rows still name the run that wrote them.
            #expect(try reader.scalar("SELECT count(*) FROM devices WHERE _sluice_run_id = 1") == .integer(3))
        }
    }

    @Test func aChangedRowIsUpdatedInPlaceAndCountedOnce() async throws {
        try await withWarehouse { warehouse, path in
            _ = try await warehouse.commit(devicesBatch(page), job: "j", runID: 1)
            var changed = page
            changed[1][1] = .text("beta v2")
            #expect(try await warehouse.commit(devicesBatch(changed), job: "j", runID: 2) == 1)

            let reader = try openReader(path)
            #expect(try reader.scalar("SELECT count(*) FROM devices") == .integer(3))
            #expect(try reader.rows("SELECT name, _sluice_run_id FROM devices WHERE id = 2")
                == [[.text("beta v2"), .integer(2)]])
            #expect(try reader.scalar("SELECT _sluice_run_id FROM devices WHERE id = 1") == .integer(1))
        }
    }

    @Test func aNullThatBecomesAValueCountsAsAChange() async throws {
        try await withWarehouse { warehouse, _ in
            _ = try await warehouse.commit(devicesBatch(page), job: "j", runID: 1)
            #expect(try await warehouse.commit(devicesBatch([[.integer(3), .text("gamma")]]), job: "j", runID: 2) == 1)
            #expect(try await warehouse.commit(devicesBatch([[.integer(3), .null]]), job: "j", runID: 3) == 1)
        }
    }

    @Test func aNewColumnMidRunIsAddedWithAlterTableAndRecorded() async throws {
        try await withWarehouse { warehouse, path in
            _ = try await warehouse.commit(devicesBatch(page), job: "j", runID: 1)
            let wider = devicesBatch([[.integer(4), .text("delta"), .text("2024-08-06T07:08:50.72Z")]],
                                     columns: [Column("Id", .bigint), Column("Name", .text),
                                               Column("Last Seen", .timestamp)], origin: "page 2")
            #expect(try await warehouse.commit(wider, job: "j", runID: 7) == 1)

            let reader = try openReader(path)
            #expect(try reader.declaredTypes("devices")["last_seen"] == "TIMESTAMP")
            #expect(try reader.rows("""
                SELECT source_name, declared_type, added_by_run FROM sluice_columns
                WHERE table_name = 'devices' AND column_name = 'last_seen'
                """) == [[.text("Last Seen"), .text("TIMESTAMP"), .integer(7)]])
            #expect(try reader.rows("SELECT id, last_seen FROM devices WHERE id IN (1, 4) ORDER BY id")
                == [[.integer(1), .null], [.integer(4), .text("2024-08-06 07:08:50.720")]])
        }
    }

    @Test func aBatchLackingAColumnLeavesThatColumnAlone() async throws {
        try await withWarehouse { warehouse, path in
            let full = devicesBatch([[.integer(1), .text("alpha"), .text("x")]],
                                    columns: [Column("Id", .bigint), Column("Name", .text), Column("Extra", .text)])
            _ = try await warehouse.commit(full, job: "j", runID: 1)
            #expect(try await warehouse.commit(devicesBatch([[.integer(1), .text("alpha 2")]]), job: "j", runID: 2)
                == 1)
            #expect(try openReader(path).rows("SELECT name, extra FROM devices")
                == [[.text("alpha 2"), .text("x")]])
        }
    }

    @Test func declaredTypesAreExactlyTheODBCSpellingsAndValuesAreNormalised() async throws {
        try await withWarehouse { warehouse, path in
            let target = TableTarget(table: "typed", mode: .upsert, primaryKey: ["key"],
                                     columnTypes: ["Seen": .timestamp, "amount": .double])
            let columns = [Column("Key", .text), Column("Count", .bigint), Column("Amount", .text),
                           Column("Flag", .boolean), Column("Seen", .text), Column("Day", .date)]
            let row: [Value] = [.text("k1"), .text("42"), .text("3.5"), .text("true"),
                                .text("2019-05-04-17:40:30 UTC"), .text("2024-02-29")]
            let batch = Batch(target: target, columns: columns, rows: [row], origin: "page 1")
            #expect(try await warehouse.commit(batch, job: "j", runID: 1) == 1)

            let reader = try openReader(path)
            #expect(try reader.declaredTypes("typed") == [
                "key": "TEXT", "count": "BIGINT", "amount": "DOUBLE", "flag": "BOOLEAN", "seen": "TIMESTAMP",
                "day": "DATE", "_sluice_run_id": "BIGINT", "_sluice_loaded_at": "TIMESTAMP",
            ])
            #expect(try reader.rows("SELECT * FROM typed") == [[
                .text("k1"), .integer(42), .double(3.5), .integer(1), .text("2019-05-04 17:40:30"),
                .text("2024-02-29"), .integer(1), .text(fixedNowText),
            ]])
            #expect(try reader.scalar("SELECT typeof(amount) FROM typed") == .text("real"))
            #expect(try reader.rows("SELECT name FROM pragma_table_info('typed') WHERE pk > 0") == [[.text("key")]])
        }
    }

    @Test func existingColumnTypesStayAndNewValuesAreCoercedToThem() async throws {
        try await withWarehouse { warehouse, path in
            _ = try await warehouse.commit(devicesBatch(page), job: "j", runID: 1)
            // The source now calls Id a string: the column stays BIGINT, the value is stored as an integer.
            let retyped = devicesBatch([[.text("9"), .text("nine")]],
                                       columns: [Column("Id", .text), Column("Name", .text)])
            _ = try await warehouse.commit(retyped, job: "j", runID: 2)
            let reader = try openReader(path)
            #expect(try reader.declaredTypes("devices")["id"] == "BIGINT")
            #expect(try reader.scalar("SELECT typeof(id) FROM devices WHERE name = 'nine'") == .text("integer"))
        }
    }

    @Test func aColumnMappingOutlivesTheProcess() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path + "/w.db"
        let first = try SQLiteWarehouse.open(path: path, now: { fixedNow })
        let columns = [Column("Id", .bigint), Column("WorkSpaceName", .text)]
        _ = try await first.commit(devicesBatch([[.integer(1), .text("a")]], columns: columns), job: "j", runID: 1)
        await first.close()

        let second = try SQLiteWarehouse.open(path: path, now: { fixedNow })
        let later = [Column("workspace_name", .text), Column("Id", .bigint), Column("WorkSpaceName", .text)]
        _ = try await second.commit(devicesBatch([[.text("b"), .integer(1), .text("c")]], columns: later),
                                    job: "j", runID: 2)
        let reader = try openReader(path)
        #expect(try reader.rows("""
            SELECT column_name, source_name FROM sluice_columns WHERE table_name = 'devices' ORDER BY column_name
            """) == [[.text("id"), .text("Id")], [.text("workspace_name"), .text("WorkSpaceName")],
                     [.text("workspace_name_2"), .text("workspace_name")]])
        #expect(try reader.rows("SELECT workspace_name, workspace_name_2 FROM devices") == [[.text("c"), .text("b")]])
        #expect(try await second.integrityCheck() == "ok")
        await second.close()
    }

    @Test func thePrimaryKeyMayBeGivenAsTheColumnName() async throws {
        try await withWarehouse { warehouse, path in
            _ = try await warehouse.commit(devicesBatch(page, key: ["id"]), job: "j", runID: 1)
            #expect(try openReader(path).rows("SELECT name FROM pragma_table_info('devices') WHERE pk > 0")
                == [[.text("id")]])
        }
    }
}
