import CSQLite
import Foundation

/// Reads a warehouse file the way an analyst's tool would: a separate read-only SQLite connection.
final class WarehouseReader {
    private var db: OpaquePointer?

    init(_ path: String) throws {
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nil) == SQLITE_OK else {
            struct OpenFailed: Error {}
            throw OpenFailed()
        }
        sqlite3_busy_timeout(db, 5000)
    }

    deinit { sqlite3_close(db) }

    /// Runs `sql` on a read-write connection of its own (for tests that age or damage a file on purpose).
    static func execute(on path: String, _ sql: String) throws {
        var db: OpaquePointer?
        defer { sqlite3_close(db) }
        struct Failed: Error { var message: String }
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK,
              sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
            throw Failed(message: String(cString: sqlite3_errmsg(db)))
        }
    }

    /// Every row of `sql` as text (NULL → nil).
    func rows(_ sql: String, _ bindings: [String] = []) -> [[String?]] {
        var stmt: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &stmt, nil) == SQLITE_OK else {
            let message = String(cString: sqlite3_errmsg(db))
            // A table that does not exist yet holds nothing committed: a run killed before it created its
            // tables left exactly that. Any other failure shows as an error row, never as "no rows".
            if message.hasPrefix("no such table") { return [] }
            return [["error: " + message]]
        }
        defer { sqlite3_finalize(stmt) }
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for (i, b) in bindings.enumerated() { sqlite3_bind_text(stmt, Int32(i + 1), b, -1, transient) }
        var out: [[String?]] = []
        var rc = sqlite3_step(stmt)
        while rc == SQLITE_ROW {
            var row: [String?] = []
            for c in 0..<sqlite3_column_count(stmt) {
                if sqlite3_column_type(stmt, c) == SQLITE_NULL { row.append(nil) }
                else { row.append(String(cString: sqlite3_column_text(stmt, c))) }
            }
            out.append(row)
            rc = sqlite3_step(stmt)
        }
        // A failed step (busy, I/O) must not pass for "no rows": it shows as an error row, like a failed prepare.
        guard rc == SQLITE_DONE else { return [["error: " + String(cString: sqlite3_errmsg(db))]] }
        return out
    }

    /// The first column of the first row.
    func scalar(_ sql: String, _ bindings: [String] = []) -> String? {
        rows(sql, bindings).first?.first ?? nil
    }

    /// An integer scalar (0 when absent).
    func int(_ sql: String, _ bindings: [String] = []) -> Int {
        Int(scalar(sql, bindings) ?? "0") ?? 0
    }

    /// Declared types of a table's columns, by name.
    func declaredTypes(_ table: String) -> [String: String] {
        var out: [String: String] = [:]
        for row in rows("SELECT name, type FROM pragma_table_info(?)", [table]) {
            if let n = row[0] { out[n] = row[1] ?? "" }
        }
        return out
    }
}
