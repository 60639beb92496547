import CODBC

/// A failed ODBC call, with the first diagnostic record (SQLSTATE and the driver's message).
struct ODBCError: Error, CustomStringConvertible {
    var call: String
    var state: String
    var message: String

    var description: String { "\(call) failed: [\(state)] \(message)" }
}

/// One table as `SQLTables` lists it.
struct CatalogTable: Equatable {
    var name: String
    /// `TABLE` or `VIEW`.
    var type: String
}

/// One column as `SQLColumns` describes it.
struct CatalogColumn: Equatable {
    var name: String
    /// The ODBC 3 type code (`DATA_TYPE`), e.g. `SQL_BIGINT` (-5).
    var dataType: Int
    /// The declared SQLite type the driver read it from (`TYPE_NAME`).
    var typeName: String
}

/// A client of the real unixODBC driver manager and SQLite3 ODBC driver, over the C API, as Power BI's
/// ODBC connector would use it: ODBC 3 behaviour, `SQLDriverConnect` without prompting, catalog calls.
///
/// One environment per connection, so tests running in parallel share no handle.
final class ODBCConnection {
    private var env: SQLHANDLE?
    private(set) var dbc: SQLHANDLE?

    /// Connects with a full connection string, e.g. `DRIVER=SQLite3;Database=/path;NoCreat=1`.
    init(connectionString: String) throws {
        guard SQLAllocHandle(SQLSMALLINT(SQL_HANDLE_ENV), nil, &env) == SQL_SUCCESS else {
            throw ODBCError(call: "SQLAllocHandle(ENV)", state: "", message: "no environment")
        }
        try check(SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, SQLPOINTER(bitPattern: UInt(SQL_OV_ODBC3)), 0),
                  "SQLSetEnvAttr", type: SQL_HANDLE_ENV, handle: env)
        try check(SQLAllocHandle(SQLSMALLINT(SQL_HANDLE_DBC), env, &dbc), "SQLAllocHandle(DBC)",
                  type: SQL_HANDLE_ENV, handle: env)
        var text = Array(connectionString.utf8)
        var outLength: SQLSMALLINT = 0
        var out = [SQLCHAR](repeating: 0, count: 1024)
        let rc = SQLDriverConnect(dbc, nil, &text, SQLSMALLINT(text.count), &out, SQLSMALLINT(out.count),
                                  &outLength, SQLUSMALLINT(SQL_DRIVER_NOPROMPT))
        do {
            try check(rc, "SQLDriverConnect", type: SQL_HANDLE_DBC, handle: dbc)
        } catch {
            close()
            throw error
        }
    }

    /// A reader of the warehouse file at `path`, in the form the README recommends (`NoCreat=1`).
    static func warehouse(_ path: String, options: String = "") throws -> ODBCConnection {
        try ODBCConnection(connectionString: "DRIVER=SQLite3;Database=\(path);NoCreat=1;Timeout=5000" + options)
    }

    deinit { close() }

    /// Disconnects and frees the handles (idempotent).
    func close() {
        if let dbc {
            SQLDisconnect(dbc)
            SQLFreeHandle(SQLSMALLINT(SQL_HANDLE_DBC), dbc)
        }
        if let env { SQLFreeHandle(SQLSMALLINT(SQL_HANDLE_ENV), env) }
        dbc = nil
        env = nil
    }

    /// Runs `sql` and returns its result set, positioned before the first row.
    func query(_ sql: String) throws -> ODBCStatement {
        let stmt = try ODBCStatement(connection: self)
        try stmt.execute(sql)
        return stmt
    }

    /// Every table and view, as `SQLTables` with no filter lists them.
    func tables() throws -> [CatalogTable] {
        let stmt = try ODBCStatement(connection: self)
        try stmt.call("SQLTables") { SQLTables($0, nil, 0, nil, 0, nil, 0, nil, 0) }
        var out: [CatalogTable] = []
        while try stmt.fetch() {
            out.append(CatalogTable(name: try stmt.string(3) ?? "", type: try stmt.string(4) ?? ""))
        }
        return out
    }

    /// The columns of `table`, in order, as `SQLColumns` describes them.
    func columns(of table: String) throws -> [CatalogColumn] {
        let stmt = try ODBCStatement(connection: self)
        var name = Array(table.utf8)
        try stmt.call("SQLColumns") { SQLColumns($0, nil, 0, nil, 0, &name, SQLSMALLINT(name.count), nil, 0) }
        var out: [CatalogColumn] = []
        while try stmt.fetch() {
            out.append(CatalogColumn(name: try stmt.string(4) ?? "", dataType: Int(try stmt.int64(5) ?? 0),
                                     typeName: try stmt.string(6) ?? ""))
        }
        return out
    }

    /// Turns autocommit off (the driver then opens a transaction at the first statement) or back on.
    func setAutocommit(_ on: Bool) throws {
        let value = SQLPOINTER(bitPattern: UInt(on ? SQL_AUTOCOMMIT_ON : SQL_AUTOCOMMIT_OFF))
        try check(SQLSetConnectAttr(dbc, SQL_ATTR_AUTOCOMMIT, value, 0), "SQLSetConnectAttr(AUTOCOMMIT)",
                  type: SQL_HANDLE_DBC, handle: dbc)
    }

    /// Ends the open transaction without changes (releases a reader's snapshot).
    func rollback() throws {
        try check(SQLEndTran(SQLSMALLINT(SQL_HANDLE_DBC), dbc, SQLSMALLINT(SQL_ROLLBACK)), "SQLEndTran",
                  type: SQL_HANDLE_DBC, handle: dbc)
    }
}

/// Throws an ``ODBCError`` carrying the handle's first diagnostic unless `rc` is a success.
func check(_ rc: SQLRETURN, _ call: String, type: Int32, handle: SQLHANDLE?) throws {
    guard rc != SQL_SUCCESS, rc != SQL_SUCCESS_WITH_INFO else { return }
    var state = [SQLCHAR](repeating: 0, count: 6)
    var message = [SQLCHAR](repeating: 0, count: 1024)
    var native: SQLINTEGER = 0
    var length: SQLSMALLINT = 0
    let diag = SQLGetDiagRec(SQLSMALLINT(type), handle, 1, &state, &native, &message, SQLSMALLINT(message.count),
                             &length)
    guard diag == SQL_SUCCESS || diag == SQL_SUCCESS_WITH_INFO else {
        throw ODBCError(call: call, state: "", message: "return code \(rc)")
    }
    let text = String(decoding: message.prefix(Int(min(length, SQLSMALLINT(message.count - 1)))), as: UTF8.self)
    throw ODBCError(call: call, state: String(decoding: state.prefix(5), as: UTF8.self), message: text)
}
