package import SluiceCore

/// The tables and views of a warehouse as the SQLite3 ODBC driver sees them: names and declared types.
package struct WarehouseCatalog: Sendable, Hashable {
    /// One column and its declared type; nil for a view column that is an expression (no declared type).
    package struct Column: Sendable, Hashable {
        package var name: String
        package var declaredType: String?

        package init(_ name: String, _ declaredType: String?) {
            self.name = name
            self.declaredType = declaredType
        }
    }

    /// A table or a view and its columns in order.
    package struct Relation: Sendable, Hashable {
        package var name: String
        package var columns: [Column]

        package init(_ name: String, _ columns: [Column]) {
            self.name = name
            self.columns = columns
        }
    }

    package var tables: [Relation]
    package var views: [Relation]

    package init(tables: [Relation], views: [Relation]) {
        self.tables = tables
        self.views = views
    }
}

/// Checks that Power BI, through the SQLite3 ODBC driver, gets every column with the right type. Pure.
///
/// The driver types a column by the prefix of its declared type (`mapsqltype()` in sqlite3odbc.c): `BIGINT`,
/// `DOUBLE`, `BOOLEAN`, `TIMESTAMP`, `DATE` and `TEXT` reach Power BI as whole numbers, decimals, true/false,
/// date/times, dates and text. `INTEGER` becomes a 32-bit SQL_INTEGER (64-bit ids overflow), `DECIMAL`,
/// `VARCHAR`, `JSON` and no type at all become 255-character text, and a view column that is an expression has
/// no declared type, so the driver guesses from the first row's value (`max(started_at)` arrives as text).
/// The only INTEGER columns allowed are the rowid keys of Sluice's own bookkeeping (`sluice_runs.run_id`,
/// `sluice_pending.pending_id`), which no report needs beyond 2^31.
package enum ODBCTypingLint {
    /// Declared types the driver maps to the right Power BI type.
    package static let goodTypes: Set<String> = ["BIGINT", "DOUBLE", "BOOLEAN", "TIMESTAMP", "DATE", "TEXT"]

    /// `table.column` pairs that may be INTEGER: rowid keys of system tables.
    package static let integerKeys: Set<String> = ["sluice_runs.run_id", "sluice_pending.pending_id"]

    /// How many problems the detail lists before "and N more".
    static let shownProblems = 5

    /// The two checks: `table types` and `views`.
    package static func checks(_ catalog: WarehouseCatalog) -> [DoctorCheck] {
        var tableProblems: [String] = []
        for table in catalog.tables {
            for column in table.columns {
                let declared = normalized(column.declaredType)
                if goodTypes.contains(declared) { continue }
                if declared == "INTEGER", integerKeys.contains("\(table.name).\(column.name)") { continue }
                tableProblems.append("\(table.name).\(column.name) is \(shown(column.declaredType)) (\(driverReading(declared)))")
            }
        }
        var viewProblems: [String] = []
        for view in catalog.views {
            for column in view.columns {
                guard let type = column.declaredType else {
                    viewProblems.append("\(view.name).\(column.name) is an expression (the driver guesses its type "
                                            + "from the first row's value)")
                    continue
                }
                let declared = normalized(type)
                if !goodTypes.contains(declared) {
                    viewProblems.append("\(view.name).\(column.name) is \(shown(type)) (\(driverReading(declared)))")
                }
            }
        }
        let columns = catalog.tables.reduce(0) { $0 + $1.columns.count }
        let tablesCheck: DoctorCheck = tableProblems.isEmpty
            ? .pass("table types", "\(catalog.tables.count) tables, \(columns) columns: every declared type is one the "
                        + "SQLite3 ODBC driver maps correctly")
            : .fail("table types", list(tableProblems),
                    fix: "declare those columns BIGINT, DOUBLE, BOOLEAN, TIMESTAMP, DATE or TEXT (a table made outside "
                        + "Sluice: recreate it with those types)")
        let viewsCheck: DoctorCheck = viewProblems.isEmpty
            ? .pass("views", "\(catalog.views.count) views, every column a plain, typed column of a table")
            : .fail("views", list(viewProblems),
                    fix: "make every view column a plain column of a table (SELECT t.col), and compute the rest in "
                        + "Power Query or DAX")
        return [tablesCheck, viewsCheck]
    }

    /// What the driver makes of a declared type (upper-cased, without `(n)`), by its prefix rules.
    package static func driverReading(_ declared: String) -> String {
        let t = declared.lowercased()
        if t.isEmpty { return "no type: read as 255-character text" }
        if t.hasPrefix("inter") { return "read as 255-character text" }
        if t.hasPrefix("int") || t.hasPrefix("mediumint") { return "read as a 32-bit SQL_INTEGER: larger values overflow" }
        if t.hasPrefix("tinyint") || t.hasPrefix("smallint") { return "read as a small integer" }
        if t.hasPrefix("numeric") || t.hasPrefix("float") || t.hasPrefix("real") {
            return "read as SQL_DOUBLE, like DOUBLE: declare it DOUBLE"
        }
        if t.hasPrefix("datetime") { return "read as SQL_TYPE_TIMESTAMP, like TIMESTAMP: declare it TIMESTAMP" }
        if t.hasPrefix("time") { return "read as SQL_TYPE_TIME: no date part" }
        if t.hasPrefix("memo") || t.hasPrefix("longvarchar") { return "read as long text, like TEXT: declare it TEXT" }
        if t.hasPrefix("bool") || t.hasPrefix("bit") { return "read as SQL_BIT, like BOOLEAN: declare it BOOLEAN" }
        if t.hasPrefix("blob") || t.hasPrefix("varbinary") || t.hasPrefix("longvarbinary") { return "read as binary" }
        return "read as 255-character text"
    }

    /// `decimal(10, 2)` → `DECIMAL`; nil or blank → empty.
    static func normalized(_ declared: String?) -> String {
        let text = (declared ?? "").trimmingWhitespace().uppercased()
        return String(text.prefix { $0 != "(" }).trimmingWhitespace()
    }

    static func shown(_ declared: String?) -> String {
        let text = (declared ?? "").trimmingWhitespace()
        return text.isEmpty ? "untyped" : text
    }

    static func list(_ problems: [String]) -> String {
        let shown = problems.prefix(shownProblems).joined(separator: "; ")
        return problems.count > shownProblems ? shown + "; and \(problems.count - shownProblems) more" : shown
    }
}
