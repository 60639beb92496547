import SluiceCore

/// Reads what doctor needs from an existing warehouse, on a read-only connection: the catalog as the ODBC
/// driver sees it and the size of recent runs. Never writes, never creates the file, runs no migration.
struct WarehouseInspector {
    private let db: SQLiteDatabase

    /// Opens `path` read-only; throws when it is not there or not a database.
    init(path: String) throws {
        db = try SQLiteDatabase(path: path, readOnly: true)
    }

    /// Every table (SQLite's own `sqlite_*` left out) with its declared column types, and every view with the
    /// declared type SQLite reports for each result column (nil for an expression).
    func catalog() throws -> WarehouseCatalog {
        let objects = try db.prepare("""
            SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
            ORDER BY name
            """).query { ($0.text(0) ?? "", $0.text(1) ?? "") }
        var tables: [WarehouseCatalog.Relation] = []
        var views: [WarehouseCatalog.Relation] = []
        for (type, name) in objects {
            if type == "table" {
                // table_xinfo also lists generated columns; its third column is the declared type as written.
                let columns = try db.prepare("PRAGMA table_xinfo(\(SQLIdentifier.quote(name)))")
                    .query { WarehouseCatalog.Column($0.text(1) ?? "", $0.text(2)) }
                tables.append(.init(name, columns))
            } else {
                let statement = try db.prepare("SELECT * FROM \(SQLIdentifier.quote(name)) LIMIT 0")
                let columns = (0..<statement.columnCount).map {
                    WarehouseCatalog.Column(statement.columnName($0), statement.declaredType($0))
                }
                views.append(.init(name, columns))
            }
        }
        return WarehouseCatalog(tables: tables, views: views)
    }

    /// What the runs of the last 7 days read, and the largest of the last 100 runs; nil without a run ledger.
    func growth(now: Double) throws -> RunGrowth? {
        let ledger = try db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sluice_runs'")
            .query { $0.int64(0) }.first ?? 0
        guard ledger > 0 else { return nil }
        let since = Timestamps.format(epochSeconds: now - 7 * 86_400)
        let recent = try db.prepare("SELECT count(*), coalesce(sum(bytes_read), 0) FROM sluice_runs WHERE started_at >= ?")
            .query([.text(since)]) { ($0.int64(0), $0.int64(1)) }.first ?? (0, 0)
        let largest = try db.prepare("""
            SELECT coalesce(max(bytes_read), 0) FROM (SELECT bytes_read FROM sluice_runs ORDER BY run_id DESC LIMIT 100)
            """).query { $0.int64(0) }.first ?? 0
        return RunGrowth(recentRuns: Int(recent.0), recentBytes: recent.1, largestRunBytes: largest)
    }
}
