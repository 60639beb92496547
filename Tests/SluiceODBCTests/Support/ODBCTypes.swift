import CODBC

/// The ODBC type each declared warehouse type must reach an ODBC client as (sqlite3odbc's `mapsqltype`).
enum ODBCTypes {
    /// `TEXT` is a long varchar: `SQL_WLONGVARCHAR` (-10) from a driver built with the wide interface (the
    /// Windows build Power BI loads), `SQL_LONGVARCHAR` (-1) from Debian's `libsqliteodbc`, which is built
    /// without it (`nm -D libsqlite3odbc.so` has no `SQLColumnsW`); the driver manager then widens the text.
    static let longText: Set<Int> = [Int(SQL_LONGVARCHAR), Int(SQL_WLONGVARCHAR)]

    /// The accepted ODBC types for a declared type, or nil for a declared type the warehouse must not use
    /// (the driver would report it as a 255-character varchar).
    static func accepted(forDeclared declared: String) -> Set<Int>? {
        switch declared.uppercased() {
        case "BIGINT": [Int(SQL_BIGINT)]
        case "DOUBLE": [Int(SQL_DOUBLE)]
        case "BOOLEAN": [Int(SQL_BIT)]
        case "TIMESTAMP": [Int(SQL_TYPE_TIMESTAMP)]
        case "DATE": [Int(SQL_TYPE_DATE)]
        case "TEXT": longText
        // Only `sluice_runs.run_id`, which AUTOINCREMENT requires to be exactly INTEGER: a 32-bit SQL_INTEGER.
        case "INTEGER": [Int(SQL_INTEGER)]
        default: nil
        }
    }
}
