import SluiceCore

/// `snapshot` mode: every dataset (a WS1 download) is kept with its id and time; the view `<table>` shows every
/// published snapshot, `<table>_latest` the newest one; `keep_snapshots` prunes older ones.
///
/// **One partition per load.** The rows live in `sluice_rows_<table>`, partitioned by `_sluice_load_id`. A download's
/// parts are COPYed, one short transaction each, into a table of their own (`sluice_load_<n>`, recorded in
/// `sluice_pending`) that no reader can reach; the last part publishes: in one transaction it attaches that table as
/// the partition for `n` (which takes no lock that readers or other writers wait for, and skips the validation
/// scan because the table carries a CHECK constraint that implies the partition's bounds), records the snapshot in
/// `sluice_snapshots`, prunes, and writes the checkpoint. From that commit on, the whole download is visible at once.
/// This is as fast as `COPY` into an empty table: no index is kept up, and no row is written twice.
///
/// **Views.** `<table>` joins the rows with `sluice_snapshots` on the load id (the four `_sluice_…` metadata columns
/// come from there, so rows carry only their data and the load id); `<table>_latest` keeps the rows whose load id is
/// the newest snapshot's, a value PostgreSQL knows before it scans, so it reads that one partition only. A pruned or
/// replaced snapshot leaves `sluice_snapshots` in the publishing transaction (invisible at once); its partition is
/// dropped right after, or by a later run if a reader holds the table just then.
extension PostgresWarehouse {
    /// Appends one part of a snapshot in its own transaction; the last part publishes the snapshot. Returns the rows
    /// made visible: 0 for a part, the snapshot's rows when it publishes.
    func writeSnapshotPart(_ batch: Batch, part: DatasetPart, job: String, runID: Int64) async throws -> Int {
        let table = batch.target.table
        try PostgresIdentifier.validateTableName(table)
        let rowsTable = PostgresIdentifier.rowsTable(table)
        do {
            let published = try await pool.withSession { session -> Int? in
                if !batch.columns.isEmpty {
                    let plan: CopyPlan
                    if let (cached, _) = try cachedPlan(for: batch, keyed: false, storage: rowsTable) {
                        plan = cached
                    } else {
                        let (made, picture) = try await session.transaction {
                            try await refusePlainTable(table, session: session)
                            return try await ensureSchema(for: batch, keyed: false, runID: runID, storage: rowsTable,
                                                          shape: .snapshotRows, session: session)
                        }
                        remember(picture)
                        plan = made
                    }
                    try PostgresSession.checkWidth(batch, columns: plan.columns.count)
                    let key = Self.partKey(runID: runID, table: table, dataset: part.id)
                    let (state, misfits) = try await session.transaction(synchronousCommit: false) { () -> (PartState, [Int: Int]) in
                        var state: PartState
                        if let known = partState(key) {
                            state = known
                        } else {
                            state = try await loadTable(table, snapshot: part.id, job: job, runID: runID, session: session)
                        }
                        if !Set(plan.columns).isSubset(of: state.columns) {
                            try await widenLoad(state.storage, rowsTable: rowsTable, session: session)
                            state.columns = try await columnNames(of: state.storage, session: session)
                        }
                        let misfits = try await session.copyRows(batch, into: state.storage, columns: plan.columns,
                                                                 types: plan.types)
                        try await session.execute("UPDATE sluice_pending SET rows = rows + $2 WHERE pending_id = $1",
                                                  [.integer(state.pendingID), .integer(Int64(batch.rowCount))])
                        return (state, misfits)
                    }
                    setPartState(state, for: key)
                    reportMisfits(misfits, plan: batch, table: table)
                }
                guard part.isLast else { return nil }
                return try await session.transaction {
                    try await publish(part, batch: batch, job: job, runID: runID, rowsTable: rowsTable, session: session)
                }
            }
            guard let published else { return 0 }
            setPartState(nil, for: Self.partKey(runID: runID, table: table, dataset: part.id))
            await purgePending()
            return published
        } catch {
            forget(table)
            throw error
        }
    }

    /// The load of snapshot `snapshot` of `table` in this run, made (table and record) on its first part.
    private func loadTable(_ table: String, snapshot: String, job: String, runID: Int64,
                           session: PostgresSession) async throws -> PartState {
        if let found = try await existingLoad(table, snapshot: snapshot, runID: runID, session: session) {
            return PartState(pendingID: found.pendingID, storage: found.storage, loadID: found.loadID,
                             columns: try await columnNames(of: found.storage, session: session))
        }
        let loadID = try await session.rows("SELECT nextval('sluice_load_ids')").first?.int64(0) ?? 0
        let storage = PostgresIdentifier.loadTable(loadID)
        let key = PostgresIdentifier.quote(PostgresTable.loadIDColumn)
        // The id is Sluice's own number (never a value from a source): the only way to give DDL a constant.
        try await session.execute("""
            CREATE TABLE \(qualified(storage)) (LIKE \(qualified(PostgresIdentifier.rowsTable(table))),
                CONSTRAINT \(PostgresIdentifier.quote(storage + "_id")) CHECK (\(key) IS NOT NULL AND \(key) = \(loadID)))
            """)
        try await session.execute("ALTER TABLE \(qualified(storage)) ALTER COLUMN \(key) SET DEFAULT \(loadID)")
        let pending = try await session.rows("""
            INSERT INTO sluice_pending(table_name, snapshot_id, purpose, job, run_id, storage)
            VALUES ($1, $2, 'loading', $3, $4, $5) RETURNING pending_id
            """, [.text(table), .text(snapshot), .text(job), .integer(runID), .text(storage)])
        return PartState(pendingID: try pending.first?.int64(0) ?? 0, storage: storage, loadID: loadID,
                         columns: try await columnNames(of: storage, session: session))
    }

    /// A loading record: its row in `sluice_pending` and the table the load is written to.
    struct LoadRecord {
        var pendingID: Int64
        var loadID: Int64
        var storage: String
        var rows: Int64
    }

    private func existingLoad(_ table: String, snapshot: String, runID: Int64,
                              session: PostgresSession) async throws -> LoadRecord? {
        guard let row = try await session.rows("""
            SELECT pending_id, storage, rows FROM sluice_pending
            WHERE table_name = $1 AND snapshot_id = $2 AND run_id = $3 AND purpose = 'loading'
            """, [.text(table), .text(snapshot), .integer(runID)]).first else { return nil }
        let storage = try row.text(1) ?? ""
        return LoadRecord(pendingID: try row.int64(0) ?? 0, loadID: Int64(storage.dropFirst("sluice_load_".count)) ?? 0,
                          storage: storage, rows: try row.int64(2) ?? 0)
    }

    /// Adds to the load table the columns the row table gained since it was made (a partition must have exactly
    /// the columns of its parent).
    private func widenLoad(_ storage: String, rowsTable: String, session: PostgresSession) async throws {
        let parent = try await PostgresTable.read(rowsTable, storage: rowsTable, schema: schema, session: session)
        let have = try await PostgresTable.read(storage, storage: storage, schema: schema, session: session).allNames
        let missing = parent.columns.filter { !have.contains($0.name) }
        guard !missing.isEmpty else { return }
        let clauses = missing.map { "ADD COLUMN \(PostgresIdentifier.quote($0.name)) \(PostgresTypes.sql($0.type))" }
        try await session.execute("ALTER TABLE \(qualified(storage)) " + clauses.joined(separator: ", "))
    }

    /// Refuses a snapshot load into a name an upsert or replace job already uses for a plain table.
    private func refusePlainTable(_ table: String, session: PostgresSession) async throws {
        let kind = try await session.rows("SELECT relkind::text FROM pg_class WHERE oid = to_regclass($1)",
                                          [.text(qualified(table))]).first?.text(0)
        guard let kind, kind != "v" else { return }
        throw SluiceError(.config, step: "", "table '\(table)' is written by a job in another mode (upsert or replace); "
            + "a snapshot table needs a table of its own: give one of the jobs another target.table")
    }

    /// Makes the load of `part` the snapshot `part.id` of the table: attaches it, records (or re-records) it in
    /// `sluice_snapshots`, hands an earlier load of the same id and snapshots beyond `keep_snapshots` to the purge
    /// list, keeps the views in step with the columns, and writes the checkpoint. Returns the snapshot's rows.
    private func publish(_ part: DatasetPart, batch: Batch, job: String, runID: Int64, rowsTable: String,
                         session: PostgresSession) async throws -> Int {
        let table = batch.target.table
        try await session.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                                  [.text("sluice table \(schema).\(table)")])
        guard let load = try await existingLoad(table, snapshot: part.id, runID: runID, session: session) else {
            // A dataset without any column: nothing to show but its checkpoint.
            try await writeState(job: job, values: batch.checkpoint, session: session)
            if let mark = batch.coverage { try await writeCoverage(mark, job: job, runID: runID, session: session) }
            return 0
        }
        try await widenLoad(load.storage, rowsTable: rowsTable, session: session)
        try await session.execute("SET LOCAL lock_timeout = '30s'")
        try await session.execute("""
            ALTER TABLE \(qualified(rowsTable)) ATTACH PARTITION \(qualified(load.storage)) FOR VALUES IN (\(load.loadID))
            """)
        try await session.execute("SET LOCAL lock_timeout = 0")
        let producedAt = Timestamps.normalize(part.producedAt) ?? part.producedAt
        if let earlier = try await session.rows("SELECT load_id FROM sluice_snapshots WHERE table_name = $1 AND snapshot_id = $2",
                                                [.text(table), .text(part.id)]).first?.int64(0) {
            try await addPurge(table: table, snapshot: part.id, loadID: earlier, job: job, session: session)
        }
        try await session.execute("""
            INSERT INTO sluice_snapshots(table_name, snapshot_id, snapshot_at, run_id, rows, completed_at, load_id)
            VALUES ($1, $2, $3::timestamptz, $4, $5, $6::timestamptz, $7)
            ON CONFLICT (table_name, snapshot_id) DO UPDATE SET snapshot_at = excluded.snapshot_at,
                run_id = excluded.run_id, rows = excluded.rows, completed_at = excluded.completed_at, load_id = excluded.load_id
            """, [.text(table), .text(part.id), .text(producedAt), .integer(runID), .integer(load.rows), .text(timestamp),
                  .integer(load.loadID)])
        try await session.execute("DELETE FROM sluice_pending WHERE pending_id = $1", [.integer(load.pendingID)])
        if let keep = batch.target.keepSnapshots, keep > 0 {
            let old = try await session.rows("""
                SELECT snapshot_id, load_id FROM sluice_snapshots WHERE table_name = $1
                ORDER BY snapshot_at DESC, completed_at DESC, snapshot_id DESC OFFSET $2
                """, [.text(table), .integer(Int64(keep))])
            for row in old {
                let id = try row.text(0) ?? ""
                try await session.execute("DELETE FROM sluice_snapshots WHERE table_name = $1 AND snapshot_id = $2",
                                          [.text(table), .text(id)])
                try await addPurge(table: table, snapshot: id, loadID: try row.int64(1) ?? 0, job: job, session: session)
            }
        }
        try await ensureViews(table, rowsTable: rowsTable, session: session)
        try await writeState(job: job, values: batch.checkpoint, session: session)
        if let mark = batch.coverage { try await writeCoverage(mark, job: job, runID: runID, session: session) }
        return Int(load.rows)
    }

    private func addPurge(table: String, snapshot: String, loadID: Int64, job: String, session: PostgresSession) async throws {
        try await session.execute("""
            INSERT INTO sluice_pending(table_name, snapshot_id, purpose, job, storage) VALUES ($1, $2, 'purge', $3, $4)
            """, [.text(table), .text(snapshot), .text(job), .text(PostgresIdentifier.loadTable(loadID))])
    }
}
