import CSQLite

/// After a SIGKILL mid-write the WAL index can be stale, and SQLite lets only a read-write connection rebuild
/// it: a read-only reader gets `SQLITE_READONLY_RECOVERY` ("attempt to write a readonly database") until the
/// next writer opens the file. This opens the warehouse read-write once, as the next `sluice run` would, so
/// the checks that follow see the recovered state.
enum WALRecovery {
    /// True when `message` is SQLite's answer to a read-only connection that needs WAL recovery.
    static func isNeeded(_ message: String?) -> Bool {
        message?.contains("attempt to write a readonly database") == true
    }

    /// Opens `path` read-write and reads the schema, which makes SQLite recover the WAL; returns the SQLite code.
    @discardableResult
    static func recover(_ path: String) -> Int32 {
        var db: OpaquePointer?
        defer { sqlite3_close(db) }
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK else { return SQLITE_CANTOPEN }
        sqlite3_busy_timeout(db, 5000)
        return sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nil, nil, nil)
    }
}
