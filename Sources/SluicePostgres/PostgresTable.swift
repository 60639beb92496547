import PostgresNIO
import SluiceCore

/// One data column as the warehouse knows it.
struct PostgresColumn: Equatable, Sendable {
    var name: String
    /// The source name it was created for (from `sluice_columns`); nil for a column Sluice did not record.
    var sourceName: String?
    /// The declared type; nil for a PostgreSQL type Sluice does not write (values are sent as they are).
    var type: ColumnType?
}

/// The picture of one data table: its columns, their source names and its primary key, read from the catalog.
///
/// `storage` is where the rows are: the table itself, or for snapshot tables the partitioned
/// `sluice_rows_<table>` behind the views readers query. Cached per table by the warehouse; a column is never
/// dropped, so a cached picture can only lack columns, and any batch that brings a source name it does not
/// know reads the catalog again under the table's lock before changing anything.
struct PostgresTable: Sendable {
    static let runIDColumn = "_sluice_run_id"
    static let loadedAtColumn = "_sluice_loaded_at"
    static let loadIDColumn = "_sluice_load_id"

    var name: String
    var storage: String
    /// `r` table, `p` partitioned table, `v` view; nil when there is nothing of that name.
    var kind: Character?
    /// Data columns in table order (metadata columns excluded).
    private(set) var columns: [PostgresColumn] = []
    /// Every column name of the storage table, metadata included.
    private(set) var allNames: Set<String> = []
    var primaryKey: [String] = []
    private var bySource: [String: Int] = [:]

    var exists: Bool { kind != nil }

    init(name: String, storage: String, kind: Character?) {
        self.name = name
        self.storage = storage
        self.kind = kind
    }

    mutating func add(_ column: PostgresColumn) {
        allNames.insert(column.name)
        guard !column.name.hasPrefix("_sluice_") else { return }
        if let source = column.sourceName, bySource[source] == nil { bySource[source] = columns.count }
        columns.append(column)
    }

    mutating func setSource(_ source: String, forColumn name: String) {
        guard let index = columns.firstIndex(where: { $0.name == name }) else { return }
        columns[index].sourceName = source
        if bySource[source] == nil { bySource[source] = index }
    }

    func column(forSource source: String) -> PostgresColumn? { bySource[source].map { columns[$0] } }

    /// Reads the picture of `name` (rows in `storage`) from the catalog and `sluice_columns`.
    static func read(_ name: String, storage: String, schema: String, session: PostgresSession) async throws -> PostgresTable {
        let qualified = PostgresIdentifier.qualified(schema, storage)
        let kindRows = try await session.rows("SELECT relkind::text FROM pg_class WHERE oid = to_regclass($1)",
                                              [.text(qualified)])
        var table = PostgresTable(name: name, storage: storage, kind: try kindRows.first?.text(0)?.first)
        guard table.exists else { return table }
        let columns = try await session.rows("""
            SELECT a.attname::text, format_type(a.atttypid, a.atttypmod),
                   array_position(i.indkey::int2[], a.attnum)::bigint
            FROM pg_attribute AS a
            LEFT JOIN pg_index AS i ON i.indrelid = a.attrelid AND i.indisprimary
            WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum
            """, [.text(qualified)])
        var key: [(Int64, String)] = []
        for row in columns {
            let column = try row.text(0) ?? ""
            table.add(PostgresColumn(name: column, sourceName: nil, type: PostgresTypes.columnType(try row.text(1) ?? "")))
            if let position = try row.int64(2) { key.append((position, column)) }
        }
        table.primaryKey = key.sorted { $0.0 < $1.0 }.map(\.1)
        let mapping = try await session.rows("SELECT column_name, source_name FROM sluice_columns WHERE table_name = $1",
                                             [.text(name)])
        for row in mapping {
            table.setSource(try row.text(1) ?? "", forColumn: try row.text(0) ?? "")
        }
        return table
    }
}

/// Sluice's column types as PostgreSQL types, and back.
enum PostgresTypes {
    /// The PostgreSQL type for `type` (JSON stays `TEXT`: Power BI is not shown to read `JSONB` as text).
    static func sql(_ type: ColumnType?) -> String {
        switch type {
        case .bigint?: return "BIGINT"
        case .double?: return "DOUBLE PRECISION"
        case .boolean?: return "BOOLEAN"
        case .timestamp?: return "TIMESTAMPTZ"
        case .date?: return "DATE"
        case .text?, nil: return "TEXT"
        }
    }

    /// The Sluice type of a column declared as `formatted` (`format_type` output); nil for any other type.
    static func columnType(_ formatted: String) -> ColumnType? {
        switch formatted {
        case "bigint": return .bigint
        case "double precision": return .double
        case "boolean": return .boolean
        case "timestamp with time zone": return .timestamp
        case "date": return .date
        case "text": return .text
        default: return nil
        }
    }
}
