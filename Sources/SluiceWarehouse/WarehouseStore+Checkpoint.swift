import CSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What one WAL checkpoint achieved, as `PRAGMA wal_checkpoint` reports it.
struct WALCheckpointResult: Equatable, Sendable {
    /// `PASSIVE` or `TRUNCATE`.
    var mode: String
    /// A reader (or another writer) kept the checkpoint from finishing.
    var busy: Bool
    /// Frames in the WAL, and how many of them are now in the database file (-1 when not in WAL mode).
    var walFrames: Int
    var checkpointedFrames: Int
    /// Size of the `-wal` file afterwards (0 when it does not exist).
    var walBytes: Int64
}

/// Keeping the `-wal` file small while BI tools read the warehouse.
///
/// SQLite checkpoints on its own (PASSIVE, every 1000 pages), but a checkpoint can only copy frames that no
/// reader still needs, and the WAL can only start over once no reader uses it. A Power BI refresh that holds
/// a read transaction through a large load therefore makes the WAL grow by the whole load, and without help
/// the file keeps that size forever. The strategy:
///
/// 1. `PRAGMA journal_size_limit` caps what SQLite keeps of the file whenever it restarts the log.
/// 2. After every run, a PASSIVE checkpoint (never waits, never blocks a reader).
/// 3. When the `-wal` file is still at or above ``WarehouseStore/walSizeLimitBytes``, a TRUNCATE checkpoint with the
///    busy handler off: it succeeds at once when no reader holds an old snapshot and shrinks the file to zero,
///    or gives up at once when one does (the writer is never stalled by a reader) and the next run tries again.
extension WarehouseStore {
    /// From this size on the `-wal` file is truncated after a run; also the `journal_size_limit`.
    ///
    /// A quiet warehouse stays near 4 MiB (SQLite's 1000-page auto-checkpoint), so the limit only bites after
    /// a long reader pinned a snapshot.
    static let walSizeLimitBytes: Int64 = 8 * 1_048_576

    /// Sets the connection's `journal_size_limit`; called once when the warehouse opens.
    func configureCheckpoints() throws {
        try db.execute("PRAGMA journal_size_limit = \(Self.walSizeLimitBytes)")
    }

    /// The checkpoint that follows every run (see the type's discussion); nil inside a transaction.
    ///
    /// Never throws: a checkpoint that cannot run now is retried after the next run, and the run it follows
    /// has already been recorded.
    @discardableResult
    func checkpointAfterRun() -> WALCheckpointResult? {
        guard !db.isInTransaction, let passive = try? checkpoint(mode: "PASSIVE") else { return nil }
        // `>=`: a log SQLite restarted after a pinned load is cut back to exactly `journal_size_limit`.
        guard passive.walBytes >= Self.walSizeLimitBytes, let handle = db.handle else { return passive }
        // RESTART and TRUNCATE wait for readers through the busy handler, which would stall the writer for
        // the whole busy_timeout behind a reader that is not going to finish soon.
        let busyTimeout = (try? db.prepare("PRAGMA busy_timeout").query { Int32(clamping: $0.int64(0)) }.first)
            ?? 5000
        sqlite3_busy_timeout(handle, 0)
        defer { sqlite3_busy_timeout(handle, busyTimeout) }
        return (try? checkpoint(mode: "TRUNCATE")) ?? passive
    }

    /// Runs `PRAGMA wal_checkpoint(mode)`; a busy checkpoint is a result, not an error.
    func checkpoint(mode: String) throws -> WALCheckpointResult {
        let row = try db.prepare("PRAGMA wal_checkpoint(\(mode))").query { [$0.int64(0), $0.int64(1), $0.int64(2)] }
        let values = row.first ?? [0, -1, -1]
        return WALCheckpointResult(mode: mode, busy: values[0] != 0, walFrames: Int(values[1]),
                                   checkpointedFrames: Int(values[2]), walBytes: walFileBytes())
    }

    /// Size of the main database's `-wal` file, 0 when there is none (or for an in-memory database).
    func walFileBytes() -> Int64 {
        guard let handle = db.handle, let name = sqlite3_db_filename(handle, "main") else { return 0 }
        let path = String(cString: name)
        guard !path.isEmpty else { return 0 }
        var info = stat()
        guard stat(path + "-wal", &info) == 0 else { return 0 }
        return Int64(info.st_size)
    }
}
