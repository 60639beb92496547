import CSQLite
import SluiceCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

    /// Text of the row being bound (see ``bindRowValue(_:at:)``): SQLite reads it in place instead of taking
    /// its own copy, which in this SQLite build is a malloc and free under the global memory mutex per cell.
    private var arena: UnsafeMutableRawPointer?
    private var arenaCapacity = 0
    private var arenaUsed = 0
    /// Arenas outgrown in the middle of a row: still bound, so freed only when the next row starts.
    private var retiredArenas: [UnsafeMutableRawPointer] = []

    init(_ stmt: OpaquePointer, database: SQLiteDatabase, kind: String) {
        self.stmt = stmt
        self.database = database
        self.kind = kind
    }

    deinit {
        sqlite3_finalize(stmt)
        freeRetiredArenas()
        arena.map { free($0) }
    }

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

    // MARK: Row binding without copies

    /// Starts binding a new row with ``bindRowValue(_:at:)``: the previous row's text space is reused.
    ///
    /// Call it only after the previous row was stepped: its text parameters still point into that space.
    func beginRow() {
        freeRetiredArenas()
        arenaUsed = 0
    }

    /// Binds `value` like ``bind(_:at:)``, but text is copied into the statement's row space and bound
    /// `SQLITE_STATIC`.
    ///
    /// Safe because SQLite reads a bound value only while stepping, and the space is neither moved nor
    /// freed until the next ``beginRow()`` (an arena outgrown mid-row is retired, not freed). Every caller
    /// rebinds all of a row's parameters before each step and clears the bindings (``clearBindings()``)
    /// when its batch ends, so no statement keeps a stale pointer into a reused row.
    func bindRowValue(_ value: Value, at index: Int32) throws {
        guard case .text(var text) = value else { return try bind(value, at: index) }
        let rc = text.withUTF8 { buffer -> Int32 in
            guard let source = buffer.baseAddress, buffer.count > 0 else {
                return sqlite3_bind_text(stmt, index, "", 0, transient)
            }
            let target = rowSpace(buffer.count)
            target.copyMemory(from: source, byteCount: buffer.count)
            return sqlite3_bind_text64(stmt, index, target.assumingMemoryBound(to: CChar.self),
                                       sqlite3_uint64(buffer.count), nil, UInt8(SQLITE_UTF8))
        }
        guard rc == SQLITE_OK else { throw database.error(rc, kind: kind) }
    }

    /// Binds UTF-8 bytes that stay where they are until the statement is stepped and its bindings cleared
    /// (a ``PackedRows`` buffer the caller holds), without copying them.
    func bindStaticText(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int32) throws {
        let rc: Int32
        if let base = bytes.baseAddress, bytes.count > 0 {
            rc = base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                sqlite3_bind_text64(stmt, index, $0, sqlite3_uint64(bytes.count), nil, UInt8(SQLITE_UTF8))
            }
        } else {
            rc = sqlite3_bind_text(stmt, index, "", 0, transient)
        }
        guard rc == SQLITE_OK else { throw database.error(rc, kind: kind) }
    }

    /// `count` bytes of row space that stay put until the next ``beginRow()``.
    private func rowSpace(_ count: Int) -> UnsafeMutableRawPointer {
        if let arena, arenaUsed + count <= arenaCapacity {
            defer { arenaUsed += count }
            return arena + arenaUsed
        }
        if let arena { retiredArenas.append(arena) }
        arenaCapacity = max(arenaCapacity * 2, count, 16 << 10)
        let fresh = malloc(arenaCapacity)!  // A failed allocation of a few KiB is not recoverable here either.
        arena = fresh
        arenaUsed = count
        return fresh
    }

    private func freeRetiredArenas() {
        for retired in retiredArenas { free(retired) }
        retiredArenas.removeAll(keepingCapacity: true)
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

    /// The name of result column `index`.
    func columnName(_ index: Int32) -> String {
        sqlite3_column_name(stmt, index).map { String(cString: $0) } ?? ""
    }

    /// The declared type of the table column behind result column `index`; nil for an expression (which is
    /// what the SQLite3 ODBC driver sees too, and why it then guesses a type from the first row's value).
    func declaredType(_ index: Int32) -> String? {
        sqlite3_column_decltype(stmt, index).map { String(cString: $0) }
    }
}
