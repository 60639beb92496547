import SluiceCore

/// `snapshot` mode: every dataset (a WS1 download) is appended with its id and time; `<table>` shows every
/// published snapshot, `<table>_latest` the newest one; `keep_snapshots` prunes older ones.
///
/// **Short transactions, invisible rows.** A download's parts are appended one transaction each to the row
/// table `sluice_rows_<table>`, while the next part is still on the wire; readers never see them, because
/// `<table>` and `<table>_latest` are views that show rows only inside the rowid range a published snapshot
/// records in `sluice_snapshots`. The last part publishes: it records the snapshot's range, the checkpoint and
/// any pruning in one short transaction, and from that commit on the whole download is visible at once. No
/// transaction is ever held open across a network read, so other jobs commit while a download streams.
///
/// **Ranges.** Each part's rows get consecutive rowids (one statement, one writer), so a part is one range and
/// a dataset the span of its parts; the views join `sluice_snapshots` with the row table on that span and the
/// snapshot id, which SQLite answers with rowid range scans (no index on the snapshot id: its upkeep was 40%
/// of a million-row load). Parts of two jobs appending to the same table may interleave; the id test keeps
/// each snapshot's rows its own.
///
/// **Leftovers.** While a dataset loads, `sluice_pending` records its range (purpose `loading`); pruned and
/// replaced snapshots are recorded there too (`purge`) until their rows are deleted, each in a short
/// transaction after the publish. A process killed at any moment leaves at most invisible rows and those
/// records; the next run of the job deletes them before it starts.
extension WarehouseStore {
    static let snapshotIDColumn = "_sluice_snapshot_id"
    static let snapshotAtColumn = "_sluice_snapshot_at"
    /// Rows deleted per transaction when leftovers or pruned snapshots are removed.
    static let purgeChunk: Int64 = 50_000

    /// The bookkeeping table, created on first use (readers build "last refreshed" visuals on it).
    static let snapshotsTableSQL = """
        CREATE TABLE IF NOT EXISTS sluice_snapshots(
            table_name TEXT NOT NULL,
            snapshot_id TEXT NOT NULL,
            snapshot_at TIMESTAMP NOT NULL,
            run_id BIGINT,
            rows BIGINT NOT NULL,
            completed_at TIMESTAMP NOT NULL,
            first_rowid BIGINT,
            last_rowid BIGINT,
            PRIMARY KEY (table_name, snapshot_id)
        )
        """

    /// Where the rows of snapshot table `table` are stored (readers use the view `table`).
    static func rowsTable(_ table: String) -> String { "sluice_rows_" + table }

    /// Appends one part of a snapshot in its own transaction; the last part publishes the snapshot. Returns the
    /// rows made visible: 0 for a part, the snapshot's rows when it publishes.
    func writeSnapshotPart(_ batch: Batch, part: DatasetPart, job: String, runID: Int64) throws -> Int {
        let table = batch.target.table
        let published = try transaction { () -> Int? in
            try ensureSnapshotStorage(table)
            let rowID = try rowIDColumn(of: table)
            var loading = try loadingRecord(table: table, snapshot: part.id, job: job, runID: runID)
            if !batch.columns.isEmpty {
                let plan = try ensureSchema(for: batch, keyed: false, runID: runID, storedIn: Self.rowsTable(table))
                try ensureSnapshotColumns(table)
                let stmt = try insertStatement(plan, extra: [Self.snapshotIDColumn, Self.snapshotAtColumn],
                                               into: SQLIdentifier.quote(Self.rowsTable(table)))
                defer { stmt.clearBindings() }
                let count = plan.columns.count
                try stmt.bind(.integer(runID), at: Int32(count + 1))
                try stmt.bind(.text(timestamp), at: Int32(count + 2))
                try stmt.bind(.text(part.id), at: Int32(count + 3))
                try stmt.bind(.text(Timestamps.normalize(part.producedAt) ?? part.producedAt), at: Int32(count + 4))
                let written = try insertRows(batch, plan: plan, statement: stmt)
                if written > 0 {
                    // One statement, one writer: the part's rows hold consecutive rowids ending at the last insert.
                    let last = db.lastInsertRowID
                    loading.include(first: last - Int64(written) + 1, last: last, rows: Int64(written))
                }
            }
            try faultHook?(.afterRows)
            try saveLoading(loading)
            guard part.isLast else { return nil }
            try publish(loading, part: part, table: table, rowID: rowID, runID: runID, keep: batch.target.keepSnapshots)
            try writeState(job: job, values: batch.checkpoint)
            if let mark = batch.coverage { try writeCoverage(mark, job: job, runID: runID) }
            try faultHook?(.afterCheckpoint)
            return Int(loading.rows)
        }
        guard let published else { return 0 }
        purgePending()
        return published
    }

    /// Creates `sluice_snapshots`, the row table and the views of `table` when they are not there yet; turns
    /// a snapshot table of an older Sluice (rows in `table` itself) into the row table behind the views.
    private func ensureSnapshotStorage(_ table: String) throws {
        if !snapshotsTableReady {
            try db.execute(Self.snapshotsTableSQL)
            let columns = try db.prepare("SELECT name FROM pragma_table_info('sluice_snapshots')").query { $0.text(0) ?? "" }
            for column in ["first_rowid", "last_rowid"] where !columns.contains(column) {
                try db.execute("ALTER TABLE sluice_snapshots ADD COLUMN \(column) BIGINT")
            }
            snapshotsTableReady = true
        }
        guard !snapshotTablesReady.contains(table) else { return }
        let kinds = try db.prepare("SELECT name, type FROM sqlite_master WHERE name IN (?1, ?2)")
            .query([.text(table), .text(Self.rowsTable(table))]) { ($0.text(0) ?? "", $0.text(1) ?? "") }
        let isPlainTable = kinds.contains { $0.0 == table && $0.1 == "table" }
        let hasRows = kinds.contains { $0.0 == Self.rowsTable(table) }
        let plainHasSnapshots = try isPlainTable && (db.prepare("SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2")
            .query([.text(table), .text(Self.snapshotIDColumn)]) { $0.int64(0) }.first ?? 0) > 0
        if plainHasSnapshots, !hasRows {
            // An older Sluice kept a snapshot table's rows in the table readers query; the name becomes a view.
            try db.execute("DROP VIEW IF EXISTS \(SQLIdentifier.quote(table + "_latest"))")
            try db.execute("ALTER TABLE \(SQLIdentifier.quote(table)) RENAME TO \(SQLIdentifier.quote(Self.rowsTable(table)))")
            schemas[table] = nil
            upsertStatements = upsertStatements.filter { $0.key.table != table }
            try fillMissingRanges(table)
        } else if isPlainTable {
            throw SluiceError(.config, step: "", "table '\(table)' is written by a job in another mode (upsert or "
                + "replace); a snapshot table needs a table of its own: give one of the jobs another target.table")
        }
        if try schema(for: table, storedIn: Self.rowsTable(table)).exists {
            try ensureSnapshotColumns(table)
            try recreateViews(table, rowID: try rowIDColumn(of: table))
        }
        snapshotTablesReady.insert(table)
    }

    /// Adds the two snapshot columns to a row table that lacks them.
    private func ensureSnapshotColumns(_ table: String) throws {
        var schema = try self.schema(for: table, storedIn: Self.rowsTable(table))
        guard schema.exists, !schema.allNames.contains(Self.snapshotIDColumn) else { return }
        let quoted = SQLIdentifier.quote(Self.rowsTable(table))
        try db.execute("ALTER TABLE \(quoted) ADD COLUMN \(SQLIdentifier.quote(Self.snapshotIDColumn)) TEXT")
        try db.execute("ALTER TABLE \(quoted) ADD COLUMN \(SQLIdentifier.quote(Self.snapshotAtColumn)) TIMESTAMP")
        schema.add(TableColumn(name: Self.snapshotIDColumn, sourceName: nil, type: .text))
        schema.add(TableColumn(name: Self.snapshotAtColumn, sourceName: nil, type: .timestamp))
        schemas[table] = schema
        upsertStatements = upsertStatements.filter { $0.key.table != table }
    }

    /// Snapshots recorded before `sluice_snapshots` had a rowid range get theirs from their rows.
    private func fillMissingRanges(_ table: String) throws {
        let missing = try systemStatement("SELECT count(*) FROM sluice_snapshots WHERE table_name = ?1 AND first_rowid IS NULL")
            .query([.text(table)]) { $0.int64(0) }.first ?? 0
        guard missing > 0 else { return }
        let rows = SQLIdentifier.quote(Self.rowsTable(table))
        let id = SQLIdentifier.quote(Self.snapshotIDColumn)
        try db.prepare("""
            UPDATE sluice_snapshots SET
                first_rowid = coalesce((SELECT min(rowid) FROM \(rows) WHERE \(id) = snapshot_id), 1),
                last_rowid = coalesce((SELECT max(rowid) FROM \(rows) WHERE \(id) = snapshot_id), 0)
            WHERE table_name = ?1 AND first_rowid IS NULL
            """).run([.text(table)])
        // Such files also carry the index that located snapshots before; every insert paid for it.
        try db.execute("DROP INDEX IF EXISTS \(SQLIdentifier.quote(table + "_sluice_snapshot"))")
    }

    /// The name that reaches the row table's rowid: `rowid`, unless a data column took that name.
    private func rowIDColumn(of table: String) throws -> String {
        let names = try schema(for: table, storedIn: Self.rowsTable(table)).allNames
        guard let alias = ["rowid", "_rowid_", "oid"].first(where: { !names.contains($0) }) else {
            throw SluiceError(.badData, step: "", "table '\(table)' has data columns called rowid, _rowid_ and oid, "
                + "so snapshot mode cannot address its rows; rename one under target.columns")
        }
        return alias
    }

    /// Makes `loading` the snapshot `snapshot` of `table` visible: records (or re-records) it in
    /// `sluice_snapshots`, hands the rows of an earlier load of the same id and of snapshots beyond `keep` to
    /// the purge list, and recreates the views (the table may have gained columns).
    private func publish(_ loading: LoadingRecord, part: DatasetPart, table: String, rowID: String, runID: Int64,
                         keep: Int?) throws {
        if let earlier = try systemStatement("""
            SELECT first_rowid, last_rowid FROM sluice_snapshots WHERE table_name = ?1 AND snapshot_id = ?2
            """).query([.text(table), .text(part.id)], row: { ($0.int64(0), $0.int64(1)) }).first {
            try addPurge(table: table, snapshot: part.id, first: earlier.0, last: earlier.1, job: loading.job)
        }
        try systemStatement("""
            INSERT INTO sluice_snapshots(table_name, snapshot_id, snapshot_at, run_id, rows, completed_at, first_rowid, last_rowid)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            ON CONFLICT (table_name, snapshot_id) DO UPDATE SET snapshot_at = excluded.snapshot_at,
                run_id = excluded.run_id, rows = excluded.rows, completed_at = excluded.completed_at,
                first_rowid = excluded.first_rowid, last_rowid = excluded.last_rowid
            """).run([.text(table), .text(part.id), .text(Timestamps.normalize(part.producedAt) ?? part.producedAt),
                      .integer(runID), .integer(loading.rows), .text(timestamp),
                      .integer(loading.first ?? 1), .integer(loading.last ?? 0)])
        try systemStatement("DELETE FROM sluice_pending WHERE pending_id = ?1").run([.integer(loading.id)])
        if let keep, keep > 0 {
            let old = try systemStatement("""
                SELECT snapshot_id, first_rowid, last_rowid FROM sluice_snapshots WHERE table_name = ?1
                ORDER BY snapshot_at DESC, completed_at DESC, snapshot_id DESC LIMIT -1 OFFSET ?2
                """).query([.text(table), .integer(Int64(keep))]) { ($0.text(0) ?? "", $0.int64(1), $0.int64(2)) }
            for (id, first, last) in old {
                try systemStatement("DELETE FROM sluice_snapshots WHERE table_name = ?1 AND snapshot_id = ?2")
                    .run([.text(table), .text(id)])
                try addPurge(table: table, snapshot: id, first: first, last: last, job: loading.job)
            }
        }
        try recreateViews(table, rowID: rowID)
    }

    /// `<table>` (every published snapshot) and `<table>_latest` (the newest one): plain columns only (the ODBC
    /// driver types a view's column from the table column it reads; an expression has no type), joined with
    /// `sluice_snapshots` on each snapshot's rowid range and id, so a row still loading is in neither.
    func recreateViews(_ table: String, rowID: String) throws {
        let schema = try self.schema(for: table, storedIn: Self.rowsTable(table))
        let names = schema.columns.map(\.name) + [TableSchema.runIDColumn, TableSchema.loadedAtColumn,
                                                   Self.snapshotIDColumn, Self.snapshotAtColumn]
        let columns = names.map { "r." + SQLIdentifier.quote($0) }.joined(separator: ", ")
        // The table name is a validated identifier ([a-z_][a-z0-9_]*): safe as a literal, and a view has no parameters.
        let from = """
            FROM sluice_snapshots AS s JOIN \(SQLIdentifier.quote(Self.rowsTable(table))) AS r
                ON r.\(rowID) BETWEEN s.first_rowid AND s.last_rowid AND r.\(SQLIdentifier.quote(Self.snapshotIDColumn)) = s.snapshot_id
            WHERE s.table_name = '\(table)'
            """
        let newest = """
            s.snapshot_id = (SELECT snapshot_id FROM sluice_snapshots WHERE table_name = '\(table)'
                ORDER BY snapshot_at DESC, completed_at DESC, snapshot_id DESC LIMIT 1)
            """
        for (view, sql) in [(table, "CREATE VIEW \(SQLIdentifier.quote(table)) AS SELECT \(columns) \(from)"),
                            (table + "_latest",
                             "CREATE VIEW \(SQLIdentifier.quote(table + "_latest")) AS SELECT \(columns) \(from) AND \(newest)")] {
            try db.execute("DROP VIEW IF EXISTS \(SQLIdentifier.quote(view))")
            try db.execute(sql)
        }
    }
}
