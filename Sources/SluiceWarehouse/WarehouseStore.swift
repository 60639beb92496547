import SluiceCore

/// Where a test can make a commit fail on purpose (see ``WarehouseStore/faultHook``).
enum FaultPoint: Sendable, Equatable {
    /// After the batch's rows are written, before its checkpoint.
    case afterRows
    /// After the checkpoint is written, before COMMIT.
    case afterCheckpoint
}

/// The synchronous heart of the warehouse: one writer connection, the schema and statement caches, and
/// the open unit of work. Owned by exactly one ``Warehouse`` actor, hence not `Sendable`.
final class WarehouseStore {
    let db: SQLiteDatabase
    let now: @Sendable () -> Double

    /// The job whose `.deferred` batches hold the open transaction, if any.
    private(set) var pendingJob: String?
    /// The run those batches belong to.
    private(set) var pendingRunID: Int64?

    /// Data tables as last read or changed; dropped on rollback.
    var schemas: [String: TableSchema] = [:]
    /// One prepared upsert per (table, column list); dropped on rollback and on ALTER of that table.
    var upsertStatements: [UpsertKey: SQLiteStatement] = [:]
    /// The snapshot-mode dataset being appended in the open unit (see WarehouseStore+Snapshot.swift).
    var openSnapshot: OpenSnapshot?
    /// Whether `sluice_snapshots` exists with its current columns (checked once per connection).
    var snapshotsTableReady = false
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

    /// Commits a batch: schema, rows and checkpoint in one transaction (see ``Warehouse/commit(_:job:runID:)``).
    func commit(_ batch: Batch, job: String, runID: Int64) throws -> Int {
        let step = "commit \(batch.origin)"
        if let pendingJob, pendingJob != job {
            throw SluiceError(.permanent, job: job, step: step,
                              "the warehouse is inside an unfinished unit of job '\(pendingJob)'")
        }
        do {
            if !db.isInTransaction {
                try db.execute("BEGIN IMMEDIATE")
                pendingJob = job
                pendingRunID = runID
            }
            let written = try write(batch, runID: runID)
            try faultHook?(.afterRows)
            try writeState(job: job, values: batch.checkpoint)
            try faultHook?(.afterCheckpoint)
            if batch.commit == .now {
                try db.execute("COMMIT")
                pendingJob = nil
                pendingRunID = nil
            }
            return written
        } catch {
            rollbackUnit()
            throw SluiceError.warehouse(error, step: step, job: job)
        }
    }

    /// Writes `batch`'s rows according to its load mode; returns rows inserted or changed.
    private func write(_ batch: Batch, runID: Int64) throws -> Int {
        guard !batch.columns.isEmpty else {
            guard batch.rowCount == 0 else {
                throw SluiceError(.permanent, step: "", "the batch has rows but no columns")
            }
            return 0  // A page without rows (Power BI sends those) only advances the checkpoint.
        }
        switch batch.target.mode {
        case .upsert:
            let plan = try ensureSchema(for: batch, keyed: true, runID: runID)
            return try writeUpsert(batch, plan: plan, runID: runID)
        case .replace:
            return try writeReplace(batch, runID: runID)
        case .snapshot:
            return try writeSnapshot(batch, runID: runID)
        }
    }

    /// Rolls back the open unit of `job` (nothing of it becomes visible); no-op when `job` holds none.
    func abortPending(job: String) {
        guard pendingJob == job else { return }
        rollbackUnit()
    }

    /// Rolls back whatever is open and forgets what the rollback undid in memory.
    func rollbackUnit() {
        db.rollback()
        pendingJob = nil
        pendingRunID = nil
        openSnapshot = nil
        snapshotsTableReady = false
        schemas.removeAll()
        upsertStatements.removeAll()
    }

    /// Runs `body` in its own transaction, or inside the open unit when `job` owns it.
    func writeTransaction<T>(job: String?, _ body: () throws -> T) throws -> T {
        if db.isInTransaction, job != nil, job == pendingJob { return try body() }
        do {
            return try db.transaction(body)
        } catch {
            // The rollback may have undone DDL that the caches already reflect.
            schemas.removeAll()
            upsertStatements.removeAll()
            throw error
        }
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
        rollbackUnit()
        systemStatements.removeAll()
        db.close()
    }
}
