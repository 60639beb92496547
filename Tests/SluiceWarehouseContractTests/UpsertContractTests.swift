import SluiceCore
import Testing
import Foundation

/// `upsert` pages, against both backends through the `Warehouse` protocol.
@Suite("Warehouse contract: upsert")
struct UpsertContractTests {
    let page: [[Value]] = [[.integer(1), .text("alpha")], [.integer(2), .text("beta")], [.integer(3), .null]]

    @Test(arguments: Backend.allCases)
    func readingTheSamePageTwiceWritesNothingTheSecondTime(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            #expect(try await h.warehouse.commit(devicesBatch(page), job: "j", runID: 1) == 3)
            let before = try await h.rows("SELECT id, name, _sluice_run_id FROM devices ORDER BY id")
            #expect(try await h.warehouse.commit(devicesBatch(page), job: "j", runID: 2) == 0)
            #expect(try await h.rows("SELECT id, name, _sluice_run_id FROM devices ORDER BY id") == before)
            #expect(try await h.scalar("SELECT count(*) FROM devices WHERE _sluice_run_id = 1") == .integer(3))
        }
    }

    @Test(arguments: Backend.allCases)
    func aChangedRowIsUpdatedInPlaceAndCountedOnce(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            _ = try await h.warehouse.commit(devicesBatch(page), job: "j", runID: 1)
            var changed = page
            changed[1][1] = .text("beta v2")
            #expect(try await h.warehouse.commit(devicesBatch(changed), job: "j", runID: 2) == 1)
            #expect(try await h.scalar("SELECT count(*) FROM devices") == .integer(3))
            #expect(try await h.rows("SELECT name, _sluice_run_id FROM devices WHERE id = 2") == [[.text("beta v2"), .integer(2)]])
            #expect(try await h.scalar("SELECT _sluice_run_id FROM devices WHERE id = 1") == .integer(1))
            #expect(try await h.scalar("SELECT _sluice_loaded_at FROM devices WHERE id = 1") == .text(fixedNowText))
        }
    }

    @Test(arguments: Backend.allCases)
    func aNullThatBecomesAValueAndBackCountsAsAChange(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            _ = try await h.warehouse.commit(devicesBatch(page), job: "j", runID: 1)
            #expect(try await h.warehouse.commit(devicesBatch([[.integer(3), .text("gamma")]]), job: "j", runID: 2) == 1)
            #expect(try await h.warehouse.commit(devicesBatch([[.integer(3), .null]]), job: "j", runID: 3) == 1)
        }
    }

    @Test(arguments: Backend.allCases)
    func aNewColumnMidRunIsAddedAndRecorded(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            _ = try await h.warehouse.commit(devicesBatch(page), job: "j", runID: 1)
            let wider = devicesBatch([[.integer(4), .text("delta"), .text("2024-08-06T07:08:50.72Z")]],
                                     columns: [Column("Id", .bigint), Column("Name", .text), Column("Last Seen", .timestamp)],
                                     origin: "page 2")
            #expect(try await h.warehouse.commit(wider, job: "j", runID: 7) == 1)
            #expect(try await h.declaredTypes("devices")["last_seen"] == .timestamp)
            #expect(try await h.rows("""
                SELECT source_name, declared_type, added_by_run FROM sluice_columns
                WHERE table_name = 'devices' AND column_name = 'last_seen'
                """) == [[.text("Last Seen"), .text("TIMESTAMP"), .integer(7)]])
            #expect(try await h.rows("SELECT id, last_seen FROM devices WHERE id IN (1, 4) ORDER BY id")
                == [[.integer(1), .null], [.integer(4), .text("2024-08-06 07:08:50.720")]])
            #expect(try await h.warehouse.knownColumns()["devices"]
                == ["Id": .bigint, "Name": .text, "Last Seen": .timestamp])
        }
    }

    @Test(arguments: Backend.allCases)
    func aBatchLackingAColumnLeavesThatColumnAlone(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            let full = devicesBatch([[.integer(1), .text("alpha"), .text("x")]],
                                    columns: [Column("Id", .bigint), Column("Name", .text), Column("Extra", .text)])
            _ = try await h.warehouse.commit(full, job: "j", runID: 1)
            #expect(try await h.warehouse.commit(devicesBatch([[.integer(1), .text("alpha 2")]]), job: "j", runID: 2) == 1)
            #expect(try await h.rows("SELECT name, extra FROM devices") == [[.text("alpha 2"), .text("x")]])
        }
    }

    @Test(arguments: Backend.allCases)
    func declaredTypesAndNormalisedValues(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            let target = TableTarget(table: "typed", mode: .upsert, primaryKey: ["key"],
                                     columnTypes: ["Seen": .timestamp, "amount": .double])
            let columns = [Column("Key", .text), Column("Count", .bigint), Column("Amount", .text),
                           Column("Flag", .boolean), Column("Seen", .text), Column("Day", .date)]
            let row: [Value] = [.text("k1"), .text("42"), .text("3.5"), .text("true"),
                                .text("2019-05-04-17:40:30 UTC"), .text("2024-02-29")]
            #expect(try await h.warehouse.commit(Batch(target: target, columns: columns, rows: [row], origin: "page 1"),
                                                 job: "j", runID: 1) == 1)
            let expected: [String: ColumnType?] = [
                "key": .text, "count": .bigint, "amount": .double, "flag": .boolean, "seen": .timestamp, "day": .date,
                "_sluice_run_id": .bigint, "_sluice_loaded_at": .timestamp,
            ]
            #expect(try await h.declaredTypes("typed") == expected)
            #expect(try await h.rows("SELECT key, count, amount, flag, seen, day, _sluice_run_id, _sluice_loaded_at FROM typed")
                == [[.text("k1"), .integer(42), .double(3.5), .integer(1), .text("2019-05-04 17:40:30"), .text("2024-02-29"),
                     .integer(1), .text(fixedNowText)]])
            #expect(try await h.primaryKey("typed") == ["key"])
        }
    }

    @Test(arguments: Backend.allCases)
    func existingColumnTypesStayAndNewValuesAreCoercedToThem(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            _ = try await h.warehouse.commit(devicesBatch(page), job: "j", runID: 1)
            let retyped = devicesBatch([[.text("9"), .text("nine")]], columns: [Column("Id", .text), Column("Name", .text)])
            _ = try await h.warehouse.commit(retyped, job: "j", runID: 2)
            #expect(try await h.declaredTypes("devices")["id"] == .bigint)
            #expect(try await h.scalar("SELECT id FROM devices WHERE name = 'nine'") == .integer(9))
        }
    }

    @Test(arguments: Backend.allCases)
    func aColumnMappingOutlivesTheProcess(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            let columns = [Column("Id", .bigint), Column("WorkSpaceName", .text)]
            _ = try await h.warehouse.commit(devicesBatch([[.integer(1), .text("a")]], columns: columns), job: "j", runID: 1)
            try await h.reopen()
            let later = [Column("workspace_name", .text), Column("Id", .bigint), Column("WorkSpaceName", .text)]
            _ = try await h.warehouse.commit(devicesBatch([[.text("b"), .integer(1), .text("c")]], columns: later),
                                             job: "j", runID: 2)
            #expect(try await h.rows("""
                SELECT column_name, source_name FROM sluice_columns WHERE table_name = 'devices' ORDER BY column_name
                """) == [[.text("id"), .text("Id")], [.text("workspace_name"), .text("WorkSpaceName")],
                         [.text("workspace_name_2"), .text("workspace_name")]])
            #expect(try await h.rows("SELECT workspace_name, workspace_name_2 FROM devices") == [[.text("c"), .text("b")]])
        }
    }

    @Test(arguments: Backend.allCases)
    func thePrimaryKeyMayBeGivenAsTheColumnName(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            _ = try await h.warehouse.commit(devicesBatch(page, key: ["id"]), job: "j", runID: 1)
            #expect(try await h.primaryKey("devices") == ["id"])
        }
    }

    @Test(arguments: Backend.allCases)
    func aPackedBatchLoadsWhatTheSameValueBatchLoads(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            let columns = [Column("Id", .bigint), Column("Name", .text), Column("Seen", .timestamp), Column("Score", .double),
                           Column("Ok", .boolean)]
            let rows: [[Value]] = [
                [.integer(1), .text("a\tb\nc\\d"), .text("2024-01-02 03:04:05"), .double(1.25), .bool(true)],
                [.integer(2), .text("ünïcødé ✓"), .text("2024-01-02T03:04:05.5+02:00"), .integer(3), .bool(false)],
                [.integer(3), .text(""), .null, .null, .null],
            ]
            _ = try await h.warehouse.commit(devicesBatch(rows, columns: columns, table: "plain"), job: "j", runID: 1)
            _ = try await h.warehouse.commit(devicesBatch(rows, columns: columns, table: "packed").packedForm, job: "j", runID: 1)
            let sql = "SELECT id, name, seen, score, ok FROM %@ ORDER BY id"
            let plain = try await h.rows(sql.replacingOccurrences(of: "%@", with: "plain"))
            #expect(plain == [
                [.integer(1), .text("a\tb\nc\\d"), .text("2024-01-02 03:04:05"), .double(1.25), .integer(1)],
                [.integer(2), .text("ünïcødé ✓"), .text("2024-01-02 01:04:05.500"), .double(3), .integer(0)],
                [.integer(3), .text(""), .null, .null, .null],
            ])
            #expect(try await h.rows(sql.replacingOccurrences(of: "%@", with: "packed")) == plain)
        }
    }

    @Test(arguments: Backend.allCases)
    func textLargerThanAnyBufferIsStoredExactly(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            let large = String(repeating: "line\twith\\escapes\r\n and ünïcødé ", count: 20_000)
            let rows: [[Value]] = (1...3).map { [.integer(Int64($0)), .text(large)] }
            _ = try await h.warehouse.commit(devicesBatch(rows), job: "j", runID: 1)
            #expect(try await h.rows("SELECT name FROM devices ORDER BY id") == Array(repeating: [.text(large)], count: 3))
        }
    }
}
