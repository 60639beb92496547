import CODBC
import Foundation
import Testing
import SluiceTestSupport

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

    /// Incremental refresh filters `>= RangeStart` and `< RangeEnd`. SQLite compares the stored text, so the
    /// one text format is what makes consecutive windows count every row exactly once. The driver puts an
    /// ODBC literal (`{ts '…'}`) into the SQL as written, but formats a bound timestamp as `… HH:MM:SS.000`,
    /// which sorts after a stored whole second: a row exactly on a boundary then falls into the earlier
    /// window. Either way the windows tile the rows.
    @Test func consecutiveTimestampWindowsCountEveryRowExactlyOnce() async throws {
        try await WarehouseFixture.with { f in
            let run = try await f.sluice(["run"])
            #expect(run.exitCode == 0, "\(run.combined)")
            let odbc = try f.odbc()
            // Rows are one minute apart from 2026-01-01 00:00:00; hourly windows from 23:00 the day before.
            let bounds = (0...6).map { hour -> SQL_TIMESTAMP_STRUCT in
                hour == 0 ? SQL_TIMESTAMP_STRUCT(year: 2025, month: 12, day: 31, hour: 23, minute: 0, second: 0,
                                                 fraction: 0)
                    : SQL_TIMESTAMP_STRUCT(year: 2026, month: 1, day: 1, hour: SQLUSMALLINT(hour - 1), minute: 0,
                                           second: 0, fraction: 0)
            }
            var literal: [Int64] = []
            var bound: [Int64] = []
            for (start, end) in zip(bounds, bounds.dropFirst()) {
                let sql = "SELECT count(*) FROM feed_rows WHERE updated_at_utc >= {ts '\(start.warehouseText)'} "
                    + "AND updated_at_utc < {ts '\(end.warehouseText)'}"
                literal += try odbc.query(sql).rows { try $0.int64(1) ?? -1 }
                let statement = try ODBCStatement(connection: odbc)
                try statement.execute("SELECT count(*) FROM feed_rows WHERE updated_at_utc >= ? AND updated_at_utc < ?",
                                      timestamps: [start, end])
                bound += try statement.rows { try $0.int64(1) ?? -1 }
            }
            #expect(literal == [0, 60, 60, 60, 60, 10])
            #expect(bound.reduce(0, +) == 250, "\(bound)")
            #expect(bound == [1, 60, 60, 60, 60, 9])
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
