import SluiceCore
import Foundation

/// Quoting and validation of SQL identifiers: the only way names reach SQL text.
enum SQLIdentifier {
    /// `name` in double quotes with inner quotes doubled, so any text is one identifier and never code.
    static func quote(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Checks a data table name: `[a-z_][a-z0-9_]*`, not `sluice_…` (system tables), at most 63 bytes.
    static func validateTableName(_ name: String) throws(SluiceError) {
        let bytes = Array(name.utf8)
        let valid = !bytes.isEmpty && bytes.count <= ColumnNaming.maxLength
            && bytes.enumerated().allSatisfy { offset, b in
                (b >= 97 && b <= 122) || b == 95 || (offset > 0 && b >= 48 && b <= 57)
            }
        guard valid else {
            throw SluiceError(.config, step: "target table",
                              "table name '\(name)' is not valid: use lower-case letters, digits and '_', "
                                  + "starting with a letter or '_', at most \(ColumnNaming.maxLength) characters")
        }
        guard !name.hasPrefix("sluice_") else {
            throw SluiceError(.config, step: "target table",
                              "table name '\(name)' is reserved: names starting with 'sluice_' are system tables")
        }
    }
}

/// One data column of a warehouse table as the warehouse knows it.
struct TableColumn: Equatable {
    var name: String
    /// The source name it was created for; nil for a column not recorded in `sluice_columns`.
    var sourceName: String?
    /// The declared type; nil when the table declares something Sluice does not write (left uncoerced).
    var type: ColumnType?
}

/// The in-memory picture of one data table: columns, their source names, and the primary key.
///
/// Cached per table so a batch does not re-read the schema; the cache is updated by the code that runs
/// CREATE/ALTER and dropped on every rollback (a rolled-back ALTER must not linger in memory).
struct TableSchema {
    static let runIDColumn = "_sluice_run_id"
    static let loadedAtColumn = "_sluice_loaded_at"

    var table: String
    /// False until the table has been created.
    var exists: Bool
    /// Data columns, in table order (metadata columns excluded).
    private(set) var columns: [TableColumn] = []
    /// Every column name in the table, lower-cased, including metadata columns.
    private(set) var allNames: Set<String> = []
    /// Primary key column names in key order (empty: no key).
    var primaryKey: [String] = []
    private var bySource: [String: Int] = [:]
    private var byName: [String: Int] = [:]

    init(table: String, exists: Bool) {
        self.table = table
        self.exists = exists
    }

    /// Adds a data column (or a metadata column, which only reserves its name).
    mutating func add(_ column: TableColumn) {
        allNames.insert(column.name.lowercased())
        if column.name.hasPrefix("_sluice_") { return }
        byName[column.name.lowercased()] = columns.count
        if let source = column.sourceName, bySource[source] == nil { bySource[source] = columns.count }
        columns.append(column)
    }

    /// Records that `name` was created for `sourceName` (a column found in `sluice_columns`).
    mutating func setSource(_ sourceName: String, forColumn name: String) {
        guard let index = byName[name.lowercased()] else { return }
        columns[index].sourceName = sourceName
        bySource[sourceName] = index
    }

    /// The column created for `sourceName`, if any.
    func column(forSource sourceName: String) -> TableColumn? { bySource[sourceName].map { columns[$0] } }

    /// The column called `name` (case-insensitive), if any.
    func column(named name: String) -> TableColumn? { byName[name.lowercased()].map { columns[$0] } }
}
