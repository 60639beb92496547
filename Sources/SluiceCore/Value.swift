/// A declared column type in the warehouse, chosen for the SQLite3 ODBC driver.
///
/// The driver types a column by the prefix of its declared type, so these exact spellings matter:
/// `BIGINT` (not `INTEGER`, which the driver reports as 32-bit), `DOUBLE`, `BOOLEAN` (0/1),
/// `TIMESTAMP` (UTC text `YYYY-MM-DD HH:MM:SS[.fff]`), `DATE` (`YYYY-MM-DD`) and `TEXT` for strings and JSON.
package enum ColumnType: String, Sendable, Hashable, CaseIterable, Codable {
    case text = "TEXT"
    case bigint = "BIGINT"
    case double = "DOUBLE"
    case boolean = "BOOLEAN"
    case timestamp = "TIMESTAMP"
    case date = "DATE"

    /// Parses a type name as written in a job file (`target.columns:`), case-insensitively.
    package init?(jobFileName: String) {
        switch jobFileName.lowercased() {
        case "text", "string": self = .text
        case "bigint", "integer", "int": self = .bigint
        case "double", "decimal", "number", "float": self = .double
        case "boolean", "bool": self = .boolean
        case "timestamp", "datetime": self = .timestamp
        case "date": self = .date
        default: return nil
        }
    }
}

/// One cell value as it will be bound to SQLite.
///
/// Timestamps and dates are `.text` in their normalised form (see ``Timestamps``); the column's
/// ``ColumnType`` says how a reader should interpret them.
package enum Value: Sendable, Hashable {
    case null
    case integer(Int64)
    case double(Double)
    case bool(Bool)
    case text(String)

    /// True when ``coerced(to:)`` would return the value unchanged: the warehouse binds such a value as it
    /// is, without making (and releasing) a copy per cell.
    package func fits(_ type: ColumnType) -> Bool {
        switch (self, type) {
        case (.null, _), (.integer, .bigint), (.double, .double), (.bool, .boolean), (.text, .text), (.text, .date):
            return true
        case (.text(let s), .timestamp): return Timestamps.isNormalized(s)
        default: return false
        }
    }

    /// The value converted to what a column of `type` should hold, where a lossless conversion exists.
    ///
    /// A value that cannot be converted is returned unchanged: SQLite keeps it (nothing is lost) and the
    /// ODBC driver shows it as NULL, which is better than failing a whole run on one odd cell.
    package func coerced(to type: ColumnType) -> Value {
        switch (self, type) {
        case (.null, _): return .null
        case (.integer, .bigint), (.double, .double), (.bool, .boolean), (.text, .text): return self
        case (.integer(let i), .double): return .double(Double(i))
        case (.integer(let i), .boolean) where i == 0 || i == 1: return .bool(i == 1)
        case (.double(let d), .bigint) where d.rounded() == d && abs(d) < 9.0e18: return .integer(Int64(d))
        case (.bool(let b), .bigint): return .integer(b ? 1 : 0)
        case (.text(let s), .bigint): return Int64(s).map(Value.integer) ?? self
        case (.text(let s), .double): return Double(s).map(Value.double) ?? self
        case (.text(let s), .boolean):
            switch s.lowercased() {
            case "true", "1", "yes": return .bool(true)
            case "false", "0", "no": return .bool(false)
            default: return self
            }
        case (.text(let s), .timestamp):
            // Sources hand over normalised text already; checking it costs far less than normalising again.
            if Timestamps.isNormalized(s) { return self }
            return Timestamps.normalize(s).map(Value.text) ?? self
        case (.text, .date):
            // `normalizeDate` returns a valid date unchanged and nil otherwise, when the text is kept as is:
            // either way the value is `self`.
            return self
        case (.integer(let i), .text): return .text(String(i))
        case (.double(let d), .text): return .text(String(d))
        case (.bool(let b), .text): return .text(b ? "true" : "false")
        default: return self
        }
    }
}
