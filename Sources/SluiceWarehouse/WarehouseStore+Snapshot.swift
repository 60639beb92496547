import SluiceCore

/// `snapshot` mode (design.md §4): every dataset is appended with its id and time; a `<table>_latest` view
/// shows the newest complete one; `keep_snapshots` prunes older ones.
///
/// A dataset is one unit of work (`.deferred` batches, then a `.now` batch), so it is visible whole or not at
/// all. The `.now` batch also records the dataset in `sluice_snapshots`, recreates the view (columns may have
/// been added) and prunes, all in the same transaction as the rows and the checkpoint.
extension WarehouseStore {
    static let snapshotIDColumn = "_sluice_snapshot_id"
    static let snapshotAtColumn = "_sluice_snapshot_at"

    /// The bookkeeping table, created on first use (readers build "last refreshed" visuals on it).
    static let snapshotsTableSQL = """
        CREATE TABLE IF NOT EXISTS sluice_snapshots(
            table_name TEXT NOT NULL,
            snapshot_id TEXT NOT NULL,
            snapshot_at TIMESTAMP NOT NULL,
            run_id BIGINT,
            rows BIGINT NOT NULL,
            completed_at TIMESTAMP NOT NULL,
            PRIMARY KEY (table_name, snapshot_id)
        )
        """

    /// Appends `batch` to its table as part of snapshot `batch.snapshot`; returns rows inserted.
    func writeSnapshot(_ batch: Batch, runID: Int64) throws -> Int {
        guard let snapshot = batch.snapshot else {
            throw SluiceError(.permanent, step: "", "a batch for mode 'snapshot' must say which snapshot it belongs to")
        }
        let table = batch.target.table
        try db.execute(Self.snapshotsTableSQL)
        let plan = try ensureSchema(for: batch, keyed: false, runID: runID)
        try ensureSnapshotColumns(table)
        try discardEarlierLoad(of: snapshot.id, table: table)

        let stmt = try insertStatement(plan, extra: [Self.snapshotIDColumn, Self.snapshotAtColumn])
        defer { stmt.clearBindings() }
        let count = plan.columns.count
        try stmt.bind(.integer(runID), at: Int32(count + 1))
        try stmt.bind(.text(timestamp), at: Int32(count + 2))
        try stmt.bind(.text(snapshot.id), at: Int32(count + 3))
        try stmt.bind(.text(Timestamps.normalize(snapshot.at) ?? snapshot.at), at: Int32(count + 4))
        let written = try insertRows(batch, plan: plan, statement: stmt)

        if batch.commit == .now {
            try finishSnapshot(snapshot, table: table, runID: runID, keep: batch.target.keepSnapshots)
        }
        return written
    }

    /// Adds the two snapshot columns (and their index) to a table that lacks them.
    private func ensureSnapshotColumns(_ table: String) throws {
        var schema = try self.schema(for: table)
        guard !schema.allNames.contains(Self.snapshotIDColumn) else { return }
        let quoted = SQLIdentifier.quote(table)
        try db.execute("ALTER TABLE \(quoted) ADD COLUMN \(SQLIdentifier.quote(Self.snapshotIDColumn)) TEXT")
        try db.execute("ALTER TABLE \(quoted) ADD COLUMN \(SQLIdentifier.quote(Self.snapshotAtColumn)) TIMESTAMP")
        // The `_latest` view and pruning select by snapshot id; without an index both scan every snapshot.
        try db.execute("CREATE INDEX IF NOT EXISTS \(SQLIdentifier.quote(table + "_sluice_snapshot")) ON \(quoted) "
            + "(\(SQLIdentifier.quote(Self.snapshotIDColumn)))")
        schema.add(TableColumn(name: Self.snapshotIDColumn, sourceName: nil, type: .text))
        schema.add(TableColumn(name: Self.snapshotAtColumn, sourceName: nil, type: .timestamp))
        schemas[table] = schema
        upsertStatements = upsertStatements.filter { $0.key.table != table }
    }

    /// A dataset loaded before under the same id (its checkpoint was lost, or a backfill re-reads it) is
    /// replaced, not duplicated. Only the unit's first batch finds a record: the rows are deleted with it.
    private func discardEarlierLoad(of snapshotID: String, table: String) throws {
        let existing = try systemStatement("SELECT count(*) FROM sluice_snapshots WHERE table_name = ?1 AND snapshot_id = ?2")
            .query([.text(table), .text(snapshotID)]) { $0.int64(0) }.first ?? 0
        guard existing > 0 else { return }
        try db.prepare("DELETE FROM \(SQLIdentifier.quote(table)) WHERE \(SQLIdentifier.quote(Self.snapshotIDColumn)) = ?1")
            .run([.text(snapshotID)])
        try systemStatement("DELETE FROM sluice_snapshots WHERE table_name = ?1 AND snapshot_id = ?2")
            .run([.text(table), .text(snapshotID)])
    }

    /// Records the completed snapshot, recreates `<table>_latest` and prunes beyond `keep`.
    private func finishSnapshot(_ snapshot: SnapshotInfo, table: String, runID: Int64, keep: Int?) throws {
        let quoted = SQLIdentifier.quote(table)
        let idColumn = SQLIdentifier.quote(Self.snapshotIDColumn)
        let rows = try db.prepare("SELECT count(*) FROM \(quoted) WHERE \(idColumn) = ?1")
            .query([.text(snapshot.id)]) { $0.int64(0) }.first ?? 0
        try systemStatement("""
            INSERT INTO sluice_snapshots(table_name, snapshot_id, snapshot_at, run_id, rows, completed_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            """).run([.text(table), .text(snapshot.id), .text(Timestamps.normalize(snapshot.at) ?? snapshot.at),
                      .integer(runID), .integer(rows), .text(timestamp)])
        if let keep, keep > 0 {
            let old = try systemStatement("""
                SELECT snapshot_id FROM sluice_snapshots WHERE table_name = ?1
                ORDER BY snapshot_at DESC, completed_at DESC, snapshot_id DESC LIMIT -1 OFFSET ?2
                """).query([.text(table), .integer(Int64(keep))]) { $0.text(0) ?? "" }
            let deleteRows = try db.prepare("DELETE FROM \(quoted) WHERE \(idColumn) = ?1")
            for id in old {
                try deleteRows.run([.text(id)])
                try systemStatement("DELETE FROM sluice_snapshots WHERE table_name = ?1 AND snapshot_id = ?2")
                    .run([.text(table), .text(id)])
            }
        }
        try recreateLatestView(table)
    }

    /// `<table>_latest`: plain columns only (the ODBC driver types a view's column from its declared type,
    /// which an expression does not have), filtered to the newest complete snapshot by `snapshot_at`.
    func recreateLatestView(_ table: String) throws {
        let schema = try self.schema(for: table)
        let view = SQLIdentifier.quote(table + "_latest")
        let names = schema.columns.map(\.name) + [TableSchema.runIDColumn, TableSchema.loadedAtColumn,
                                                   Self.snapshotIDColumn, Self.snapshotAtColumn]
        // The table name is a validated identifier ([a-z_][a-z0-9_]*): safe as a literal, and a view has no parameters.
        let sql = """
            CREATE VIEW \(view) AS SELECT \(names.map(SQLIdentifier.quote).joined(separator: ", "))
            FROM \(SQLIdentifier.quote(table))
            WHERE \(SQLIdentifier.quote(Self.snapshotIDColumn)) = (
                SELECT snapshot_id FROM sluice_snapshots WHERE table_name = '\(table)'
                ORDER BY snapshot_at DESC, completed_at DESC, snapshot_id DESC LIMIT 1)
            """
        try db.execute("DROP VIEW IF EXISTS \(view)")
        try db.execute(sql)
    }

    /// A cached plain `INSERT` of the plan's columns, the metadata columns and `extra` columns (bound per batch).
    func insertStatement(_ plan: BatchPlan, extra: [String], into table: String? = nil) throws -> SQLiteStatement {
        // Shares the upsert cache, so ALTER and rollback drop it too; the marker keeps the keys apart.
        let key = UpsertKey(table: plan.table, columns: plan.columns + ["\u{0}insert"] + extra + [table ?? ""])
        if let stmt = upsertStatements[key] { return stmt }
        let all = plan.columns + [TableSchema.runIDColumn, TableSchema.loadedAtColumn] + extra
        let params = (1...all.count).map { "?\($0)" }.joined(separator: ", ")
        let sql = "INSERT INTO \(table ?? SQLIdentifier.quote(plan.table)) (\(all.map(SQLIdentifier.quote).joined(separator: ", "))) "
            + "VALUES (\(params))"
        let stmt = try db.prepare(sql, persistent: true)
        upsertStatements[key] = stmt
        return stmt
    }

    /// Binds and steps every row of `batch` (the per-batch parameters are already bound); returns the rows
    /// SQLite reports as inserted or changed (an upsert whose row is unchanged counts 0).
    func insertRows(_ batch: Batch, plan: BatchPlan, statement stmt: SQLiteStatement) throws -> Int {
        let count = plan.columns.count
        var written = 0
        for (rowIndex, row) in batch.rows.enumerated() {
            guard row.count == count else {
                throw SluiceError(.permanent, step: "row \(rowIndex + 1)",
                                  "the row has \(row.count) values but the batch has \(count) columns")
            }
            stmt.beginRow()
            for column in 0..<count {
                let value = row[column]
                if let type = plan.types[column], !value.fits(type) {
                    try stmt.bindRowValue(value.coerced(to: type), at: Int32(column + 1))
                } else {
                    try stmt.bindRowValue(value, at: Int32(column + 1))
                }
            }
            do {
                try stmt.step()
            } catch var error as SQLiteError {
                error.statementKind += " of row \(rowIndex + 1)"
                throw error
            }
            stmt.reset()
            written += db.changes
        }
        return written
    }
}
