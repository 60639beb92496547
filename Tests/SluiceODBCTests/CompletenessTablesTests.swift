import CODBC
import Testing
import SluiceEmulators
import SluiceTestSupport

/// `sluice_coverage`, `sluice_gaps` and `sluice_freshness` read through the SQLite3 ODBC driver as a dashboard
/// would: every column typed from its declaration, NULLs included, so Power BI sees dates as dates.
@Suite("completeness tables through ODBC")
struct CompletenessTablesTests {
    static let expected: [String: [(String, Set<Int>)]] = [
        "sluice_coverage": [
            ("job", ODBCTypes.longText), ("table_name", ODBCTypes.longText),
            ("window_start", [Int(SQL_TYPE_TIMESTAMP)]), ("window_end", [Int(SQL_TYPE_TIMESTAMP)]),
            ("status", ODBCTypes.longText), ("pages", [Int(SQL_BIGINT)]), ("rows", [Int(SQL_BIGINT)]),
            ("run_id", [Int(SQL_BIGINT)]), ("updated_at", [Int(SQL_TYPE_TIMESTAMP)]), ("suspicious", [Int(SQL_BIT)]),
        ],
        "sluice_gaps": [
            ("job", ODBCTypes.longText), ("table_name", ODBCTypes.longText),
            ("gap_start", [Int(SQL_TYPE_TIMESTAMP)]), ("gap_end", [Int(SQL_TYPE_TIMESTAMP)]),
            ("reason", ODBCTypes.longText), ("recoverable_until", [Int(SQL_TYPE_TIMESTAMP)]),
        ],
        "sluice_freshness": [
            ("job", ODBCTypes.longText), ("table_name", ODBCTypes.longText),
            ("last_success_at", [Int(SQL_TYPE_TIMESTAMP)]), ("complete_through", [Int(SQL_TYPE_TIMESTAMP)]),
            ("lag_seconds", [Int(SQL_BIGINT)]), ("stale", [Int(SQL_BIT)]), ("gaps", [Int(SQL_BIGINT)]),
            ("lost_seconds", [Int(SQL_BIGINT)]), ("updated_at", [Int(SQL_TYPE_TIMESTAMP)]),
        ],
    ]

    @Test func everyColumnIsTypedInTheCatalogAndInTheResultSetWithAGapRecorded() async throws {
        try await WarehouseFixture.with { f in
            // The feed fails on its second page: the run's window is partial, a gap with no deadline (the feed
            // keeps history), and freshness has no success yet (NULL timestamps must keep their type).
            f.feed.faults.failRequest(2, status: 403)
            let failed = try await f.sluice(["run"])
            #expect(failed.exitCode == 1, "\(failed.combined)")
            let odbc = try f.odbc()
            for (table, columns) in Self.expected.sorted(by: { $0.key < $1.key }) {
                let catalog = try odbc.columns(of: table)
                let described = try odbc.query("SELECT * FROM \(table)").resultColumns()
                #expect(catalog.map(\.name) == columns.map(\.0), "\(table)")
                #expect(described.map(\.name) == columns.map(\.0), "\(table)")
                for (index, (name, accepted)) in columns.enumerated() where index < min(catalog.count, described.count) {
                    #expect(accepted.contains(catalog[index].dataType), "SQLColumns \(table).\(name): \(catalog[index].dataType)")
                    #expect(accepted.contains(described[index].dataType),
                            "SQLDescribeCol \(table).\(name): \(described[index].dataType)")
                }
            }
            let gaps = try f.sqlite().rows("SELECT reason, recoverable_until FROM sluice_gaps")
            #expect(gaps.count == 1 && gaps.first?[0] == "partial" && gaps.first?[1] == nil, "\(gaps)")
            let freshness = try f.sqlite().rows("SELECT last_success_at, complete_through, gaps FROM sluice_freshness")
            #expect(freshness.count == 1 && freshness.first?[0] == nil && freshness.first?[1] == nil
                    && freshness.first?[2] == "1", "\(freshness)")
        }
    }
}
