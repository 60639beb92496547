/// The `sqlite3` queries `sluice demo` suggests, as data: the demo prints them and a test runs every one against
/// the demo's warehouse.
enum DemoQueries {
    /// The run ledger first, then one query per source.
    static func all(_ parts: [DemoPart]) -> [String] {
        ["SELECT job, status, rows_written, started_at FROM sluice_runs ORDER BY run_id DESC LIMIT 5;"]
            + parts.map(\.exampleQuery)
    }

    /// `sqlite3 PATH "QUERY"`, as printed.
    static func command(_ query: String, warehouse: String) -> String {
        "sqlite3 \(warehouse) \"\(query)\""
    }
}
