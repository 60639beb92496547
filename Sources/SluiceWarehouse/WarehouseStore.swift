import SluiceCore

/// Where a test can make a commit fail on purpose (see ``WarehouseStore/faultHook``).
enum FaultPoint: Sendable, Equatable {
    /// After the batch's rows are written, before its checkpoint.
    case afterRows
    /// After the checkpoint is written, before COMMIT.
    case afterCheckpoint
}

/// The synchronous heart of the warehouse: one writer connection, the schema and statement caches, and what
/// is staged for datasets still loading. Owned by exactly one ``SQLiteWarehouse`` actor, hence not `Sendable`.
final class WarehouseStore {
    let db: SQLiteDatabase
    let now: @Sendable () -> Double

    /// Data tables as last read or changed, by table name (for snapshot tables: the name readers use); dropped
    /// on rollback.
    var schemas: [String: TableSchema] = [:]
    /// One prepared upsert per (table, column list); dropped on rollback and on ALTER of that table.
    var upsertStatements: [UpsertKey: SQLiteStatement] = [:]
    /// Whether `sluice_snapshots` exists with its current columns (checked once per connection).
    var snapshotsTableReady = false
    /// Snapshot tables whose row table and views are known to be in place.
    var snapshotTablesReady: Set<String> = []
    /// TEMP staging tables of datasets loading in `replace` or `upsert` mode, by job.
    var stagedTables: [String: Set<String>] = [:]
    /// Tables whose pseudonym fingerprint was checked (or recorded) in this connection, with the fingerprint.
    var pseudonymsChecked: [String: PseudonymFingerprint] = [:]
    /// Prepared statements of the system tables, compiled once.
    var systemStatements: [String: SQLiteStatement] = [:]

    /// Test seam: throws at a ``FaultPoint`` to prove that a failed commit leaves nothing behind.
    var faultHook: ((FaultPoint) throws -> Void)?

    init(path: String, busyTimeoutMilliseconds: Int, readOnly: Bool = false, now: @escaping @Sendable () -> Double) throws {
        db = try SQLiteDatabase(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds, readOnly: readOnly)
        self.now = now
        // A reader (`sluice status`) neither migrates nor configures: it must not write beside the daemon.
        guard !readOnly else { return }
        try Migrations.migrate(db)
        try configureCheckpoints()
    }

    /// The current time as normalised UTC timestamp text.
    var timestamp: String { Timestamps.format(epochSeconds: now()) }

    /// Commits a batch (see ``SQLiteWarehouse/commit(_:job:runID:)``); returns the rows it made visible.
    func commit(_ batch: Batch, job: String, runID: Int64) throws -> Int {
        do {
            if let part = batch.dataset {
                switch batch.target.mode {
                case .snapshot: return try writeSnapshotPart(batch, part: part, job: job, runID: runID)
                case .replace, .upsert: return try writeStagedPart(batch, part: part, job: job, runID: runID)
                }
            }
            guard batch.target.mode == .upsert else {
                throw SluiceError(.warehouse, step: "", "mode '\(batch.target.mode.rawValue)' loads whole datasets: "
                    + "the batch must be a part of one")
            }
            return try transaction {
                let written = try writePage(batch, runID: runID)
                try faultHook?(.afterRows)
                try writeState(job: job, values: batch.checkpoint)
                if let mark = batch.coverage { try writeCoverage(mark, job: job, runID: runID) }
                try faultHook?(.afterCheckpoint)
                return written
            }
        } catch {
            throw SluiceError.warehouse(error, step: "commit \(batch.origin)", job: job)
        }
    }

    /// Upserts a page's rows; returns how many were inserted or really changed.
    private func writePage(_ batch: Batch, runID: Int64) throws -> Int {
        guard !batch.columns.isEmpty else {
            guard batch.rowCount == 0 else {
                throw SluiceError(.warehouse, step: "", "the batch has rows but no columns")
            }
            return 0  // A page without rows (Power BI sends those) only advances the checkpoint.
        }
        let plan = try ensureSchema(for: batch, keyed: true, runID: runID)
        return try writeUpsert(batch, plan: plan, runID: runID)
    }

    /// Runs `body` in a `BEGIN IMMEDIATE … COMMIT` transaction; on failure rolls back and forgets what the
    /// rollback undid in memory (a rolled-back ALTER must not linger in the caches).
    func transaction<T>(_ body: () throws -> T) throws -> T {
        do {
            return try db.transaction(body)
        } catch {
            forgetCaches()
            throw error
        }
    }

    /// Drops every cache that mirrors the file (after a rollback).
    func forgetCaches() {
        schemas.removeAll()
        upsertStatements.removeAll()
        snapshotsTableReady = false
        snapshotTablesReady.removeAll()
        pseudonymsChecked.removeAll()
    }

    /// Throws away what run `runID` of `job` staged or appended but never published.
    func discardUnpublished(job: String, runID: Int64) {
        dropStaging(job: job)
        discardLoads(job: job, runID: runID)
    }

    /// Before a run of `job` starts: removes whatever an earlier run of it left unpublished (the process
    /// running it died), and finishes deleting pruned snapshots.
    func discardLeftovers(job: String) {
        dropStaging(job: job)
        discardLoads(job: job, runID: nil)
        purgePending()
    }

    /// A cached prepared statement for fixed system-table SQL.
    func systemStatement(_ sql: String) throws -> SQLiteStatement {
        if let stmt = systemStatements[sql] { return stmt }
        let stmt = try db.prepare(sql, persistent: true)
        systemStatements[sql] = stmt
        return stmt
    }

    /// `PRAGMA integrity_check`: "ok", or SQLite's list of problems.
    func integrityCheck() throws -> String {
        let stmt = try db.prepare("PRAGMA integrity_check")
        return try stmt.query { $0.text(0) ?? "" }.joined(separator: "\n")
    }

    /// Rolls back anything open, releases statements and closes the file.
    func close() {
        db.rollback()
        forgetCaches()
        stagedTables.removeAll()
        systemStatements.removeAll()
        db.close()
    }
}
