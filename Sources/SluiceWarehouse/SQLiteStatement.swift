import CSQLite
import SluiceCore

/// SQLite's `SQLITE_TRANSIENT`: SQLite copies the bytes before the bind call returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A prepared statement: typed binding of ``Value``s, stepping, column reading, reuse.
///
/// Reuse is the point: one statement is bound, stepped and reset for every row of a batch, so the SQL is
/// compiled once per (table, column set), not once per row.
final class SQLiteStatement {
    private let stmt: OpaquePointer
    /// Kept so the connection outlives its statements and errors can read its message.
    private let database: SQLiteDatabase
    /// "INSERT", "SELECT": names the statement in errors without quoting SQL or values.
    let kind: String

    init(_ stmt: OpaquePointer, database: SQLiteDatabase, kind: String) {
        self.stmt = stmt
        self.database = database
        self.kind = kind
    }

    deinit { sqlite3_finalize(stmt) }

    /// Number of `?` parameters.
    var parameterCount: Int { Int(sqlite3_bind_parameter_count(stmt)) }

    // MARK: Binding (indexes start at 1, as in SQLite)

    /// Binds `value`; booleans become 0/1 integers, the ODBC driver's BOOLEAN convention.
    func bind(_ value: Value, at index: Int32) throws {
        let rc: Int32
        switch value {
        case .null: rc = sqlite3_bind_null(stmt, index)
        case .integer(let i): rc = sqlite3_bind_int64(stmt, index, i)
        case .double(let d): rc = sqlite3_bind_double(stmt, index, d)
        case .bool(let b): rc = sqlite3_bind_int64(stmt, index, b ? 1 : 0)
        case .text(let s): rc = bindText(s, at: index)
        }
        guard rc == SQLITE_OK else { throw database.error(rc, kind: kind) }
    }

    /// Binds each value in order, starting at parameter 1.
    func bind(_ values: [Value]) throws {
        for (offset, value) in values.enumerated() { try bind(value, at: Int32(offset + 1)) }
    }

    /// Binds the string's UTF-8 bytes directly (no C string copy on the Swift side).
    private func bindText(_ text: String, at index: Int32) -> Int32 {
        var text = text
        return text.withUTF8 { buffer -> Int32 in
            // An empty buffer may have a nil base address, which SQLite would bind as NULL, not "".
            guard let base = buffer.baseAddress, buffer.count > 0 else {
                return sqlite3_bind_text(stmt, index, "", 0, transient)
            }
            return base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                sqlite3_bind_text64(stmt, index, $0, sqlite3_uint64(buffer.count), transient, UInt8(SQLITE_UTF8))
            }
        }
    }

    // MARK: Stepping

    /// Steps once; returns true when a row is available, false when the statement is done.
    @discardableResult
    func step() throws -> Bool {
        switch sqlite3_step(stmt) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let rc:
            // The error code from step is generic until reset reports the specific one.
            let error = database.error(rc, kind: kind)
            sqlite3_reset(stmt)
            throw error
        }
    }

    /// Makes the statement runnable again; bindings are kept (so per-batch values are bound once).
    func reset() { sqlite3_reset(stmt) }

    /// Resets and sets every parameter back to NULL.
    func clearBindings() {
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
    }

    /// Runs the statement to completion with `values` bound, then resets it.
    func run(_ values: [Value] = []) throws {
        defer { reset() }
        try bind(values)
        while try step() {}
    }

    /// Runs a query with `values` bound and maps every row with `row`, then resets the statement.
    func query<T>(_ values: [Value] = [], row: (SQLiteStatement) throws -> T) throws -> [T] {
        defer { reset() }
        try bind(values)
        var out: [T] = []
        while try step() { out.append(try row(self)) }
        return out
    }

    // MARK: Columns of the current row (indexes start at 0)

    /// True when column `index` of the current row is NULL.
    func isNull(_ index: Int32) -> Bool { sqlite3_column_type(stmt, index) == SQLITE_NULL }

    /// Column `index` as a 64-bit integer (SQLite's conversion rules apply).
    func int64(_ index: Int32) -> Int64 { sqlite3_column_int64(stmt, index) }

    /// Column `index` as a double.
    func double(_ index: Int32) -> Double { sqlite3_column_double(stmt, index) }

    /// Column `index` as text, or nil when NULL.
    func text(_ index: Int32) -> String? {
        guard let bytes = sqlite3_column_text(stmt, index) else { return nil }
        let count = Int(sqlite3_column_bytes(stmt, index))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    /// Column `index` as a ``Value`` by its storage class (blobs are read as text).
    func value(_ index: Int32) -> Value {
        switch sqlite3_column_type(stmt, index) {
        case SQLITE_NULL: return .null
        case SQLITE_INTEGER: return .integer(int64(index))
        case SQLITE_FLOAT: return .double(double(index))
        default: return text(index).map(Value.text) ?? .null
        }
    }

    /// Number of columns in the result.
    var columnCount: Int32 { sqlite3_column_count(stmt) }
}
