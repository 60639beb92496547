import CSQLite
import Foundation

/// A plain SQLite connection to the warehouse: the reference the ODBC results are compared with, and the
/// way a test puts an unusual value (text over 64 KiB) into a scratch table of the same file.
final class SQLiteFile {
    private var db: OpaquePointer?

    init(_ path: String, writable: Bool = false) throws {
        let flags = writable ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY
        guard sqlite3_open_v2(path, &db, flags, nil) == SQLITE_OK else {
            struct OpenFailed: Error {}
            throw OpenFailed()
        }
        sqlite3_busy_timeout(db, 5000)
    }

    deinit { sqlite3_close(db) }

    /// Every row of `sql` as text (NULL → nil); text parameters bound in order.
    func rows(_ sql: String, _ bindings: [String] = []) throws -> [[String?]] {
        var stmt: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &stmt, nil) == SQLITE_OK else { throw failure() }
        defer { sqlite3_finalize(stmt) }
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for (index, text) in bindings.enumerated() { sqlite3_bind_text(stmt, Int32(index + 1), text, -1, transient) }
        var out: [[String?]] = []
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw failure() }
            out.append((0..<sqlite3_column_count(stmt)).map { column in
                sqlite3_column_type(stmt, column) == SQLITE_NULL ? nil
                    : String(cString: sqlite3_column_text(stmt, column))
            })
        }
        return out
    }

    /// An integer scalar (0 when absent).
    func int(_ sql: String, _ bindings: [String] = []) throws -> Int {
        Int(try rows(sql, bindings).first?.first.flatMap { $0 } ?? "0") ?? 0
    }

    /// Runs statements that return no rows.
    func execute(_ sql: String) throws {
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { throw failure() }
    }

    private func failure() -> any Error {
        struct SQLiteFailure: Error, CustomStringConvertible { var description: String }
        return SQLiteFailure(description: String(cString: sqlite3_errmsg(db)))
    }
}
