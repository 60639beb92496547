import Foundation
import Testing

/// Values read through ODBC in the C types Power BI binds, compared cell by cell with what SQLite holds.
@Suite("ODBC values")
struct ODBCValueTests {
    @Test func everyCellReadsBackInItsODBCTypeEqualToTheStoredValue() async throws {
        try await WarehouseFixture.with { f in
            let run = try await f.sluice(["run"])
            #expect(run.exitCode == 0, "\(run.combined)")
            let columns = "id, amount, active, updated_at_utc, created_on, _sluice_loaded_at, name, note"
            let stored = try f.sqlite().rows("SELECT \(columns) FROM feed_rows ORDER BY id")
            let read = try f.odbc().query("SELECT \(columns) FROM feed_rows ORDER BY id").rows { row in
                [try row.int64(1).map { String($0) }, try row.double(2).map { String(format: "%.2f", $0) },
                 try row.bit(3).map { String($0) }, try row.timestamp(4)?.warehouseText, try row.date(5)?.warehouseText,
                 try row.timestamp(6)?.warehouseText, try row.wideString(7), try row.wideString(8)]
            }
            #expect(read.count == 250)
            let expected = stored.map { row in
                [row[0], row[1].flatMap(Double.init).map { String(format: "%.2f", $0) }] + row[2...]
            }
            #expect(read.count == expected.count)
            for (got, want) in zip(read, expected) where got != want {
                Issue.record("ODBC \(got) != SQLite \(want)")
                break
            }
        }
    }

    /// The driver answers NULL for date text it cannot parse, silently; so every timestamp and date column
    /// must have as many non-NULL values through ODBC as SQLite holds text.
    @Test func noTimestampOrDateBecomesNullThroughTheDriver() async throws {
        try await WarehouseFixture.with { f in
            let run = try await f.sluice(["run"])
            #expect(run.exitCode == 0, "\(run.combined)")
            let odbc = try f.odbc()
            let sqlite = try f.sqlite()
            let checks: [(table: String, column: String, isDate: Bool)] = [
                ("feed_rows", "updated_at_utc", false), ("feed_rows", "created_on", true),
                ("feed_rows", "_sluice_loaded_at", false), ("sluice_runs", "started_at", false),
                ("sluice_runs", "finished_at", false), ("sluice_state", "updated_at", false),
                ("sluice_job_health", "last_success_at", false),
            ]
            for check in checks {
                let statement = try odbc.query("SELECT \"\(check.column)\" FROM \"\(check.table)\"")
                let nonNull = try statement.rows { row in
                    check.isDate ? try row.date(1) != nil : try row.timestamp(1) != nil
                }.filter { $0 }.count
                let held = try sqlite.int("SELECT count(\"\(check.column)\") FROM \"\(check.table)\"")
                #expect(held > 0, "\(check.table).\(check.column)")
                #expect(nonNull == held, "\(check.table).\(check.column): \(nonNull) through ODBC, \(held) stored")
            }
        }
    }

    @Test func textLongerThan64KiBRoundTripsAsWideCharacters() async throws {
        try await WarehouseFixture.with { f in
            let run = try await f.sluice(["run"])
            #expect(run.exitCode == 0, "\(run.combined)")
            // Over the 65,536 the driver reports as the size of TEXT, with non-ASCII letters and an emoji
            // (a surrogate pair in UTF-16) so that pieces split anywhere must join back exactly.
            let unit = "café ünïcode № 😀 line\n"
            let long = String(repeating: unit, count: 100_000 / unit.utf8.count + 1)
            #expect(long.utf8.count > 65_536 && long.utf16.count > 65_536)
            let scratch = try SQLiteFile(f.warehouse, writable: true)
            try scratch.execute("CREATE TABLE odbc_scratch(id BIGINT, body TEXT)")
            _ = try scratch.rows("INSERT INTO odbc_scratch(id, body) VALUES (1, ?1)", [long])
            let read = try f.odbc().query("SELECT body FROM odbc_scratch WHERE id = 1").rows { try $0.wideString(1) }
            #expect(read.count == 1)
            #expect(read.first??.utf16.count == long.utf16.count)
            #expect(read.first ?? nil == long)
        }
    }
}
