import CODBC

/// A result-set column as `SQLDescribeCol` reports it.
struct ResultColumn: Equatable {
    var name: String
    /// The ODBC 3 type code the driver gives the column of this result set.
    var dataType: Int
}

/// One statement handle: execute, describe, fetch, and read cells with `SQLGetData` in a chosen C type.
///
/// Getters take 1-based column numbers (as ODBC does) and return nil for SQL NULL.
final class ODBCStatement {
    private let connection: ODBCConnection
    private var stmt: SQLHANDLE?

    init(connection: ODBCConnection) throws {
        self.connection = connection
        try check(SQLAllocHandle(SQLSMALLINT(SQL_HANDLE_STMT), connection.dbc, &stmt), "SQLAllocHandle(STMT)",
                  type: SQL_HANDLE_DBC, handle: connection.dbc)
    }

    deinit {
        if let stmt { SQLFreeHandle(SQLSMALLINT(SQL_HANDLE_STMT), stmt) }
    }

    /// Calls `body` with the handle and turns a failure into an ``ODBCError`` named `name`.
    func call(_ name: String, _ body: (SQLHANDLE?) -> SQLRETURN) throws {
        try check(body(stmt), name, type: SQL_HANDLE_STMT, handle: stmt)
    }

    /// `SQLExecDirect`.
    func execute(_ sql: String) throws {
        var text = Array(sql.utf8)
        try call("SQLExecDirect") { SQLExecDirect($0, &text, SQLINTEGER(text.count)) }
    }

    /// `SQLExecDirect` with `?` markers bound, in order, to timestamps (`SQL_C_TYPE_TIMESTAMP`), as a client
    /// that binds its filter values (rather than writing literals) sends them.
    func execute(_ sql: String, timestamps: [SQL_TIMESTAMP_STRUCT]) throws {
        var values = timestamps
        var indicators = [SQLLEN](repeating: 0, count: values.count)
        try values.withUnsafeMutableBufferPointer { values in
            try indicators.withUnsafeMutableBufferPointer { indicators in
                for index in values.indices {
                    try call("SQLBindParameter") {
                        SQLBindParameter($0, SQLUSMALLINT(index + 1), SQLSMALLINT(SQL_PARAM_INPUT),
                                         SQLSMALLINT(SQL_C_TYPE_TIMESTAMP), SQLSMALLINT(SQL_TYPE_TIMESTAMP), 23, 3,
                                         values.baseAddress! + index, 0, indicators.baseAddress! + index)
                    }
                }
                try execute(sql)
            }
        }
    }

    /// The result set's columns (`SQLNumResultCols` + `SQLDescribeCol`).
    func resultColumns() throws -> [ResultColumn] {
        var count: SQLSMALLINT = 0
        try call("SQLNumResultCols") { SQLNumResultCols($0, &count) }
        return try (1..<Int(count) + 1).map { index in
            var name = [SQLCHAR](repeating: 0, count: 256)
            var nameLength: SQLSMALLINT = 0
            var type: SQLSMALLINT = 0
            var size: SQLULEN = 0
            var digits: SQLSMALLINT = 0
            var nullable: SQLSMALLINT = 0
            try call("SQLDescribeCol") {
                SQLDescribeCol($0, SQLUSMALLINT(index), &name, SQLSMALLINT(name.count), &nameLength, &type, &size,
                               &digits, &nullable)
            }
            return ResultColumn(name: String(decoding: name.prefix(Int(nameLength)), as: UTF8.self),
                                dataType: Int(type))
        }
    }

    /// Advances to the next row; false at the end.
    func fetch() throws -> Bool {
        let rc = SQLFetch(stmt)
        if rc == SQL_NO_DATA { return false }
        try check(rc, "SQLFetch", type: SQL_HANDLE_STMT, handle: stmt)
        return true
    }

    /// Every remaining row read with `read`.
    func rows<T>(_ read: (ODBCStatement) throws -> T) throws -> [T] {
        var out: [T] = []
        while try fetch() { out.append(try read(self)) }
        return out
    }

    // MARK: Typed cells

    /// `SQL_C_SBIGINT`.
    func int64(_ column: Int) throws -> Int64? {
        try fixed(column, Int64(0), SQL_C_SBIGINT)
    }

    /// `SQL_C_DOUBLE`.
    func double(_ column: Int) throws -> Double? {
        try fixed(column, Double(0), SQL_C_DOUBLE)
    }

    /// `SQL_C_BIT`: 0 or 1.
    func bit(_ column: Int) throws -> UInt8? {
        try fixed(column, UInt8(0), SQL_C_BIT)
    }

    /// `SQL_C_TYPE_TIMESTAMP`; nil also when the driver could not parse the text (it answers NULL then).
    func timestamp(_ column: Int) throws -> SQL_TIMESTAMP_STRUCT? {
        try fixed(column, SQL_TIMESTAMP_STRUCT(), SQL_C_TYPE_TIMESTAMP)
    }

    /// `SQL_C_TYPE_DATE`.
    func date(_ column: Int) throws -> SQL_DATE_STRUCT? {
        try fixed(column, SQL_DATE_STRUCT(), SQL_C_TYPE_DATE)
    }

    /// `SQL_C_WCHAR` (UTF-16), read in pieces so text of any length comes back whole.
    func wideString(_ column: Int) throws -> String? {
        var units: [SQLWCHAR] = []
        var buffer = [SQLWCHAR](repeating: 0, count: 4096)
        let capacity = buffer.count - 1  // room for the terminator the driver always writes
        while true {
            var indicator: SQLLEN = 0
            let rc = SQLGetData(stmt, SQLUSMALLINT(column), SQLSMALLINT(SQL_C_WCHAR), &buffer,
                                SQLLEN(buffer.count * MemoryLayout<SQLWCHAR>.size), &indicator)
            if rc == SQL_NO_DATA { break }
            try check(rc, "SQLGetData(WCHAR)", type: SQL_HANDLE_STMT, handle: stmt)
            if indicator == SQLLEN(SQL_NULL_DATA) { return nil }
            let available = indicator == SQLLEN(SQL_NO_TOTAL) ? capacity
                : min(capacity, Int(indicator) / MemoryLayout<SQLWCHAR>.size)
            units.append(contentsOf: buffer.prefix(available))
            if rc == SQL_SUCCESS { break }
        }
        return String(decoding: units, as: UTF16.self)
    }

    /// `SQL_C_CHAR`, for catalog result sets (ASCII names).
    func string(_ column: Int) throws -> String? {
        var buffer = [SQLCHAR](repeating: 0, count: 1024)
        var indicator: SQLLEN = 0
        let rc = SQLGetData(stmt, SQLUSMALLINT(column), SQLSMALLINT(SQL_C_CHAR), &buffer, SQLLEN(buffer.count),
                            &indicator)
        try check(rc, "SQLGetData(CHAR)", type: SQL_HANDLE_STMT, handle: stmt)
        if indicator == SQLLEN(SQL_NULL_DATA) { return nil }
        return String(decoding: buffer.prefix(min(Int(indicator), buffer.count - 1)), as: UTF8.self)
    }

    private func fixed<T>(_ column: Int, _ initial: T, _ cType: Int32) throws -> T? {
        var value = initial
        var indicator: SQLLEN = 0
        let rc = withUnsafeMutableBytes(of: &value) { bytes in
            SQLGetData(stmt, SQLUSMALLINT(column), SQLSMALLINT(cType), bytes.baseAddress, SQLLEN(bytes.count),
                       &indicator)
        }
        try check(rc, "SQLGetData(\(cType))", type: SQL_HANDLE_STMT, handle: stmt)
        return indicator == SQLLEN(SQL_NULL_DATA) ? nil : value
    }
}

extension SQL_TIMESTAMP_STRUCT {
    /// The warehouse's text form of this instant: `YYYY-MM-DD HH:MM:SS` plus `.fff` when there is a fraction.
    var warehouseText: String {
        let base = pad(Int(year), 4) + "-" + pad(Int(month), 2) + "-" + pad(Int(day), 2) + " "
            + pad(Int(hour), 2) + ":" + pad(Int(minute), 2) + ":" + pad(Int(second), 2)
        return fraction == 0 ? base : base + "." + pad(Int(fraction) / 1_000_000, 3)
    }
}

extension SQL_DATE_STRUCT {
    /// `YYYY-MM-DD`.
    var warehouseText: String { pad(Int(year), 4) + "-" + pad(Int(month), 2) + "-" + pad(Int(day), 2) }
}

private func pad(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    return String(repeating: "0", count: max(0, width - text.count)) + text
}
