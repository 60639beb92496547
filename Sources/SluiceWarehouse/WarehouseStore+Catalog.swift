import SluiceCore

extension WarehouseStore {
    /// Declared types of every recorded column, by table and source name (from `sluice_columns`).
    func knownColumns() throws -> [String: [String: ColumnType]] {
        let rows = try systemStatement("SELECT table_name, source_name, declared_type FROM sluice_columns")
            .query { ($0.text(0) ?? "", $0.text(1) ?? "", $0.text(2) ?? "") }
        var out: [String: [String: ColumnType]] = [:]
        for (table, source, type) in rows {
            out[table, default: [:]][source] = ColumnType(rawValue: type) ?? .text
        }
        return out
    }

    /// Names of the data tables readers query, sorted: plain tables (everything but `sluice_…` and SQLite's
    /// own) and snapshot tables (views over their `sluice_rows_…` table).
    func dataTables() throws -> [String] {
        try db.prepare("""
            SELECT name FROM sqlite_master
            WHERE (type = 'table' AND name NOT LIKE 'sluice\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\')
               OR (type = 'view' AND 'sluice_rows_' || name IN (SELECT name FROM sqlite_master WHERE type = 'table'))
            ORDER BY name
            """).query { $0.text(0) ?? "" }
    }

    /// Row count of every data table, by table name.
    func dataTableRowCounts() throws -> [(table: String, rows: Int)] {
        try dataTables().map { table in
            let count = try db.prepare("SELECT count(*) FROM \(SQLIdentifier.quote(table))").query { $0.int64(0) }
            return (table, Int(count.first ?? 0))
        }
    }
}
