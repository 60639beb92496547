import CSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One connection to an SQLite file: the thin binding the warehouse is built on.
///
/// Not `Sendable`: a connection belongs to exactly one owner (the ``Warehouse`` actor, or a test),
/// which is why it is opened with `SQLITE_OPEN_NOMUTEX`.
final class SQLiteDatabase {
    private(set) var handle: OpaquePointer?

    /// Opens (creating if needed) the file at `path` in WAL mode with `synchronous=NORMAL`.
    ///
    /// A new file is created by us with mode 0640 before SQLite opens it: SQLite gives the `-wal` and
    /// `-shm` files the main file's permissions, so none of the three is ever world-readable.
    init(path: String, busyTimeoutMilliseconds: Int = 5000, readOnly: Bool = false) throws {
        Self.configureLibrary
        if !readOnly { try createPrivately(path) }
        var db: OpaquePointer?
        // NOFOLLOW: a symbolic link at the warehouse's own name is refused, not followed to a file of someone
        // else's choosing (SQLITE_CANTOPEN_SYMLINK). SQLite applies the rule to every component of the path, but
        // a folder reached through a link is ordinary (with systemd's DynamicUser, /var/lib/sluice is a link to
        // private/sluice), so the folder part is resolved first and only the file name is checked.
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
            | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW
        let rc = sqlite3_open_v2(Self.resolvingFolder(path), &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot allocate a connection"
            sqlite3_close_v2(db)
            throw SQLiteError(code: rc & 0xFF, extendedCode: rc, message: message, statementKind: "open")
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, Int32(clamping: busyTimeoutMilliseconds))
        if !readOnly {
            // Only a file without tables takes a page size (later it stays what it is). 16 KiB pages halve the
            // end-of-load commit and checkpoint of a million-row WS1 download against 4 KiB (1.3 s → 0.7 s).
            try execute("PRAGMA page_size=\(Self.pageSize)")
            // SQLite answers with the mode it ended up in instead of failing, so check it.
            let mode = try prepare("PRAGMA journal_mode=WAL").query { $0.text(0) ?? "" }.first ?? ""
            guard mode.lowercased() == "wal" || mode.lowercased() == "memory" else {
                throw SQLiteError(code: SQLITE_CANTOPEN, extendedCode: SQLITE_CANTOPEN,
                                  message: "cannot switch the file to WAL mode (it stays '\(mode)'); "
                                      + "is it on a network share? Keep the warehouse on a local disk",
                                  statementKind: "PRAGMA journal_mode")
            }
            try execute("PRAGMA synchronous=NORMAL")
        }
    }

    deinit { close() }

    /// `path` with its folder part resolved (`realpath`) and its last component kept as given; unchanged for
    /// special names (`:memory:`, URIs) and when the folder cannot be resolved (the open then reports why).
    static func resolvingFolder(_ path: String) -> String {
        guard path != ":memory:", !path.isEmpty, !path.hasPrefix("file:") else { return path }
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard let resolved = realpath(folder.isEmpty ? "/" : folder, nil) else { return path }
        defer { free(resolved) }
        let base = String(cString: resolved)
        return (base == "/" ? "" : base) + "/" + name
    }

    /// The page size of a new warehouse file.
    static let pageSize = 16_384

    /// Process-wide settings, applied once before the first connection opens. Without allocation statistics
    /// (which Sluice never reads) SQLite takes no global mutex per allocation: 7% less CPU on a WS1 load.
    /// SQLite refuses once initialised (another library in the process opened a database first); harmless.
    private static let configureLibrary: Void = {
        _ = sluice_sqlite3_config_memstatus(0)
    }()

    /// Closes the connection; statements still alive are finalised by their own `deinit` (close_v2 waits).
    func close() {
        guard let handle else { return }
        sqlite3_close_v2(handle)
        self.handle = nil
    }

    /// Runs one or more statements that take no parameters and whose rows, if any, are ignored.
    func execute(_ sql: String) throws {
        let rc = sqlite3_exec(try connection(sql), sql, nil, nil, nil)
        guard rc == SQLITE_OK else { throw error(rc, sql: sql) }
    }

    /// Compiles `sql`; `persistent` hints SQLite that the statement is cached and reused for long.
    func prepare(_ sql: String, persistent: Bool = false) throws -> SQLiteStatement {
        var stmt: OpaquePointer?
        let flags = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let rc = sqlite3_prepare_v3(try connection(sql), sql, -1, flags, &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw error(rc, sql: sql) }
        return SQLiteStatement(stmt, database: self, kind: SQLiteError.kind(of: sql))
    }

    /// Rows changed by the most recent INSERT/UPDATE/DELETE (an upsert that changed nothing counts 0).
    var changes: Int { handle.map { Int(sqlite3_changes64($0)) } ?? 0 }

    /// The rowid of the most recent successful INSERT.
    var lastInsertRowID: Int64 { handle.map { sqlite3_last_insert_rowid($0) } ?? 0 }

    /// Whether a transaction is open on this connection.
    var isInTransaction: Bool { handle.map { sqlite3_get_autocommit($0) == 0 } ?? false }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`, rolling back when it throws.
    ///
    /// IMMEDIATE takes the write lock up front, so a busy database fails at BEGIN (after `busy_timeout`)
    /// instead of half-way through the work.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            rollback()
            throw error
        }
    }

    /// Rolls back the open transaction, if any; SQLite may already have rolled it back itself.
    func rollback() {
        guard isInTransaction, let handle else { return }
        sqlite3_exec(handle, "ROLLBACK", nil, nil, nil)
    }

    /// The current error of this connection as an ``SQLiteError``.
    func error(_ rc: Int32, sql: String) -> SQLiteError {
        error(rc, kind: SQLiteError.kind(of: sql))
    }

    func error(_ rc: Int32, kind: String) -> SQLiteError {
        let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "connection is closed"
        let extended = handle.map { sqlite3_extended_errcode($0) } ?? rc
        return SQLiteError(code: rc & 0xFF, extendedCode: extended, message: message, statementKind: kind)
    }

    private func connection(_ sql: String) throws -> OpaquePointer {
        guard let handle else {
            throw SQLiteError(code: SQLITE_MISUSE, extendedCode: SQLITE_MISUSE, message: "connection is closed",
                              statementKind: SQLiteError.kind(of: sql))
        }
        return handle
    }
}

/// Creates `path` with mode 0640 if it does not exist yet (the umask can only make it stricter).
private func createPrivately(_ path: String) throws {
    guard path != ":memory:", !path.isEmpty, !path.hasPrefix("file:") else { return }
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(0o640))
    if fd >= 0 {
        _ = close(fd)
        return
    }
    let code = errno
    guard code == EEXIST else {
        throw SQLiteError(code: SQLITE_CANTOPEN, extendedCode: SQLITE_CANTOPEN,
                          message: "cannot create the file: \(String(cString: strerror(code)))",
                          statementKind: "open")
    }
}
