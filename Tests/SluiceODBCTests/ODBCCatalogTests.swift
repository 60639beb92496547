import CODBC
import Testing
import SluiceTestSupport

/// What Power BI's navigator sees: a warehouse written by the real binary, listed and described through the
/// real unixODBC driver manager and SQLite3 ODBC driver.
@Suite("ODBC catalog")
struct ODBCCatalogTests {
    @Test func sqlTablesListsEveryDataTableViewAndSystemTable() async throws {
        try await WarehouseFixture.with { f in
            let run = try await f.sluice(["run"])
            #expect(run.exitCode == 0, "\(run.combined)")
            let listed = try f.odbc().tables()
            let stored = try f.sqlite().rows("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
            #expect(Set(listed.map(\.name)) == Set(stored.compactMap { $0[0] }))
            let types = Dictionary(listed.map { ($0.name, $0.type) }, uniquingKeysWith: { first, _ in first })
            for table in ["feed_rows", "sluice_runs", "sluice_state", "sluice_columns", "sluice_job_counters"] {
                #expect(types[table] == "TABLE", "\(table)")
            }
            #expect(types["sluice_job_health"] == "VIEW")
        }
    }

    @Test func everyColumnKindOfTheFeedReachesODBCWithItsType() async throws {
        try await WarehouseFixture.with { f in
            let run = try await f.sluice(["run"])
            #expect(run.exitCode == 0, "\(run.combined)")
            let columns = try f.odbc().columns(of: "feed_rows")
            let byName = Dictionary(columns.map { ($0.name, $0.dataType) }, uniquingKeysWith: { first, _ in first })
            #expect(byName["id"] == Int(SQL_BIGINT))
            #expect(byName["amount"] == Int(SQL_DOUBLE))
            #expect(byName["updated_at_utc"] == Int(SQL_TYPE_TIMESTAMP))
            #expect(byName["created_on"] == Int(SQL_TYPE_DATE))
            #expect(byName["active"] == Int(SQL_BIT))
            #expect(byName["_sluice_run_id"] == Int(SQL_BIGINT))
            #expect(byName["_sluice_loaded_at"] == Int(SQL_TYPE_TIMESTAMP))
            for text in ["name", "tags", "owner", "note"] {
                #expect(byName[text].map(ODBCTypes.longText.contains) == true, "\(text): \(byName[text] ?? 0)")
            }
        }
    }

    /// Catalog (`SQLColumns`) and result set (`SQLDescribeCol`) agree, for tables and views alike, and no
    /// column anywhere has a declared type the driver would turn into a 255-character varchar.
    @Test func everyColumnOfEveryTableAndViewHasATypeTheDriverMapsAndResultSetsAgree() async throws {
        try await WarehouseFixture.with { f in
            let run = try await f.sluice(["run"])
            #expect(run.exitCode == 0, "\(run.combined)")
            let odbc = try f.odbc()
            let tables = try odbc.tables().filter { !$0.name.hasPrefix("sqlite_") }
            #expect(tables.count >= 6)
            for table in tables {
                let catalog = try odbc.columns(of: table.name)
                #expect(!catalog.isEmpty, "\(table.name)")
                for column in catalog {
                    let accepted = ODBCTypes.accepted(forDeclared: column.typeName)
                    #expect(accepted?.contains(column.dataType) == true,
                            "\(table.name).\(column.name): declared '\(column.typeName)' → \(column.dataType)")
                }
                let described = try odbc.query("SELECT * FROM \"\(table.name)\"").resultColumns()
                #expect(described.map(\.name) == catalog.map(\.name), "\(table.name)")
                #expect(described.map(\.dataType) == catalog.map(\.dataType), "\(table.name)")
            }
        }
    }

    @Test func systemTablesAreTypedForFreshnessDashboards() async throws {
        try await WarehouseFixture.with { f in
            let run = try await f.sluice(["run"])
            #expect(run.exitCode == 0, "\(run.combined)")
            let odbc = try f.odbc()
            func types(_ table: String) throws -> [String: Int] {
                Dictionary(try odbc.columns(of: table).map { ($0.name, $0.dataType) }, uniquingKeysWith: { a, _ in a })
            }
            let runs = try types("sluice_runs")
            #expect(runs["run_id"] == Int(SQL_INTEGER))
            #expect(runs["started_at"] == Int(SQL_TYPE_TIMESTAMP))
            #expect(runs["finished_at"] == Int(SQL_TYPE_TIMESTAMP))
            for count in ["rows_written", "requests", "bytes_read"] { #expect(runs[count] == Int(SQL_BIGINT)) }
            for text in ["job", "trigger", "status", "error"] {
                #expect(runs[text].map(ODBCTypes.longText.contains) == true, "\(text)")
            }
            #expect(try types("sluice_state")["updated_at"] == Int(SQL_TYPE_TIMESTAMP))
            #expect(try types("sluice_columns")["added_by_run"] == Int(SQL_BIGINT))
            #expect(try types("sluice_job_counters")["consecutive_failures"] == Int(SQL_BIGINT))
        }
    }
}
