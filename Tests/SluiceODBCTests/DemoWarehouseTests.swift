import CODBC
import SluiceTestSupport
import Testing

/// `sluice demo` fills a warehouse from every source's emulator (cursor feed, Citrix, Power BI, WS1 with its
/// snapshot view), so checking it through ODBC covers every table and view that the sources create.
@Suite("ODBC over the demo warehouse (every source)")
struct DemoWarehouseTests {
    @Test func everyColumnOfEverySourcesTablesAndViewsHasItsODBCType() async throws {
        try await Self.withDemoWarehouse { path in
            let odbc = try ODBCConnection.warehouse(path)
            let tables = try odbc.tables().filter { !$0.name.hasPrefix("sqlite_") }
            let views = tables.filter { $0.type == "VIEW" }.map(\.name)
            #expect(views.contains("sluice_job_health"))
            #expect(views.contains { $0.hasSuffix("_latest") }, "no snapshot view: \(views)")
            for table in tables {
                let catalog = try odbc.columns(of: table.name)
                for column in catalog {
                    #expect(ODBCTypes.accepted(forDeclared: column.typeName)?.contains(column.dataType) == true,
                            "\(table.name).\(column.name): declared '\(column.typeName)' → \(column.dataType)")
                }
                let described = try odbc.query("SELECT * FROM \"\(table.name)\" LIMIT 1").resultColumns()
                #expect(described.map(\.dataType) == catalog.map(\.dataType), "\(table.name)")
            }
        }
    }

    /// The snapshot view passes plain columns through, so it keeps every type of its table, and every
    /// timestamp and date of every table and view parses (the driver would answer NULL otherwise).
    @Test func latestViewsAndEveryDateOrTimestampColumnReadBackTyped() async throws {
        try await Self.withDemoWarehouse { path in
            let odbc = try ODBCConnection.warehouse(path)
            let sqlite = try SQLiteFile(path)
            let tables = try odbc.tables().filter { !$0.name.hasPrefix("sqlite_") }
            for view in tables.map(\.name) where view.hasSuffix("_latest") {
                let base = String(view.dropLast("_latest".count))
                let baseTypes = Dictionary(try odbc.columns(of: base).map { ($0.name, $0.dataType) },
                                           uniquingKeysWith: { first, _ in first })
                let viewColumns = try odbc.columns(of: view)
                #expect(viewColumns.count == baseTypes.count, "\(view) does not show every column of \(base)")
                for column in viewColumns {
                    #expect(baseTypes[column.name] == column.dataType, "\(view).\(column.name): \(column.dataType)")
                }
                let rows = try odbc.query("SELECT count(*) FROM \"\(view)\"").rows { try $0.int64(1) }
                #expect(rows.first.flatMap { $0 }.map { $0 > 0 } == true, "\(view) is empty")
            }
            var checked = 0
            for table in tables {
                for column in try odbc.columns(of: table.name) {
                    let isDate = column.dataType == Int(SQL_TYPE_DATE)
                    guard isDate || column.dataType == Int(SQL_TYPE_TIMESTAMP) else { continue }
                    let values = try odbc.query("SELECT \"\(column.name)\" FROM \"\(table.name)\"").rows { row in
                        isDate ? try row.date(1) != nil : try row.timestamp(1) != nil
                    }
                    let held = try sqlite.int("SELECT count(\"\(column.name)\") FROM \"\(table.name)\"")
                    #expect(values.filter { $0 }.count == held, "\(table.name).\(column.name)")
                    checked += 1
                }
            }
            #expect(checked > 20)
        }
    }

    /// Runs `sluice demo --warehouse <temp>/warehouse.db` and hands the file to `body`.
    static func withDemoWarehouse(_ body: (String) async throws -> Void) async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let demo = try await SluiceProcess.run(["demo", "--warehouse", dir.warehouse], in: dir.path, timeout: 180)
        #expect(demo.exitCode == 0, "\(demo.combined.suffix(2000))")
        try await body(dir.warehouse)
    }
}
