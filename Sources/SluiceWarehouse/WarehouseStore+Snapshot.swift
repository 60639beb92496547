import SluiceCore

/// `snapshot` mode (design.md §4): every dataset is appended with its id and time; a `<table>_latest` view
/// shows the newest complete one; `keep_snapshots` prunes older ones.
///
/// A dataset is one unit of work (`.deferred` batches, then a `.now` batch), so it is visible whole or not at
/// all. The `.now` batch also records the dataset in `sluice_snapshots`, recreates the view (columns may have
/// been added) and prunes, all in the same transaction as the rows and the checkpoint.
///
/// Locating a dataset: its rows are appended in one transaction by the only writer, so they hold one
/// contiguous run of rowids, recorded as `first_rowid`/`last_rowid` in `sluice_snapshots`. The view and
/// pruning seek that range instead of keeping an index on `_sluice_snapshot_id`: maintaining that index was
/// 40% of the whole WS1 load (`sluice-bench ws1-csv`: 8.7 s → 5.6 s for 1,000,000 rows without it).
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
            first_rowid BIGINT,
            last_rowid BIGINT,
            PRIMARY KEY (table_name, snapshot_id)
        )
        """

    /// Appends `batch` to its table as part of snapshot `batch.snapshot`; returns rows inserted.
    func writeSnapshot(_ batch: Batch, runID: Int64) throws -> Int {
        guard let snapshot = batch.snapshot else {
            throw SluiceError(.permanent, step: "", "a batch for mode 'snapshot' must say which snapshot it belongs to")
        }
        let table = batch.target.table
        try ensureSnapshotsTable()
        let plan = try ensureSchema(for: batch, keyed: false, runID: runID)
        try ensureSnapshotColumns(table)
        let rowID = try rowIDColumn(of: table)
        if openSnapshot?.table != table || openSnapshot?.id != snapshot.id {
            try fillMissingRanges(table)
            try discardEarlierLoad(of: snapshot.id, table: table, rowID: rowID)
            let largest = try db.prepare("SELECT max(\(rowID)) FROM \(SQLIdentifier.quote(table))").query { $0.int64(0) }.first
            openSnapshot = OpenSnapshot(table: table, id: snapshot.id, rowIDsAfter: largest ?? 0)
        }

        let stmt = try insertStatement(plan, extra: [Self.snapshotIDColumn, Self.snapshotAtColumn])
        defer { stmt.clearBindings() }
        let count = plan.columns.count
        try stmt.bind(.integer(runID), at: Int32(count + 1))
        try stmt.bind(.text(timestamp), at: Int32(count + 2))
        try stmt.bind(.text(snapshot.id), at: Int32(count + 3))
        try stmt.bind(.text(Timestamps.normalize(snapshot.at) ?? snapshot.at), at: Int32(count + 4))
        let written = try insertRows(batch, plan: plan, statement: stmt)

        if batch.commit == .now {
            try finishSnapshot(snapshot, table: table, rowID: rowID, runID: runID, keep: batch.target.keepSnapshots)
            openSnapshot = nil
        }
        return written
    }

    /// Creates `sluice_snapshots`, or adds the rowid range to one written before the range existed (filled
    /// from the rows by ``fillMissingRanges(_:)`` when a dataset of the table is next loaded).
    private func ensureSnapshotsTable() throws {
        guard !snapshotsTableReady else { return }
        try db.execute(Self.snapshotsTableSQL)
        let columns = try db.prepare("SELECT name FROM pragma_table_info('sluice_snapshots')").query { $0.text(0) ?? "" }
        for column in ["first_rowid", "last_rowid"] where !columns.contains(column) {
            try db.execute("ALTER TABLE sluice_snapshots ADD COLUMN \(column) BIGINT")
        }
        snapshotsTableReady = true
    }

    /// Adds the two snapshot columns to a table that lacks them.
    private func ensureSnapshotColumns(_ table: String) throws {
        var schema = try self.schema(for: table)
        guard !schema.allNames.contains(Self.snapshotIDColumn) else { return }
        let quoted = SQLIdentifier.quote(table)
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
        let rowID = try rowIDColumn(of: table)
        let quoted = SQLIdentifier.quote(table)
        let id = SQLIdentifier.quote(Self.snapshotIDColumn)
        try db.prepare("""
            UPDATE sluice_snapshots SET
                first_rowid = coalesce((SELECT min(\(rowID)) FROM \(quoted) WHERE \(id) = snapshot_id), 1),
                last_rowid = coalesce((SELECT max(\(rowID)) FROM \(quoted) WHERE \(id) = snapshot_id), 0)
            WHERE table_name = ?1 AND first_rowid IS NULL
            """).run([.text(table)])
        // Such files also carry the index that located snapshots before; every insert paid for it.
        try db.execute("DROP INDEX IF EXISTS \(SQLIdentifier.quote(table + "_sluice_snapshot"))")
    }

    /// The name that reaches `table`'s rowid: `rowid`, unless a data column took that name.
    private func rowIDColumn(of table: String) throws -> String {
        let names = try schema(for: table).allNames
        guard let alias = ["rowid", "_rowid_", "oid"].first(where: { !names.contains($0) }) else {
            throw SluiceError(.permanent, step: "", "table '\(table)' has data columns called rowid, _rowid_ and oid, "
                + "so snapshot mode cannot address its rows; rename one under target.columns")
        }
        return alias
    }

    /// A dataset loaded before under the same id (its checkpoint was lost, or a backfill re-reads it) is
    /// replaced, not duplicated: its rows and its record are deleted before the new rows are appended.
    private func discardEarlierLoad(of snapshotID: String, table: String, rowID: String) throws {
        guard let range = try systemStatement("""
            SELECT first_rowid, last_rowid FROM sluice_snapshots WHERE table_name = ?1 AND snapshot_id = ?2
            """).query([.text(table), .text(snapshotID)], row: { ($0.int64(0), $0.int64(1)) }).first else { return }
        try deleteSnapshot(snapshotID, range: range, table: table, rowID: rowID)
    }

    /// Deletes one recorded snapshot: its rows (found by rowid range and id) and its record.
    private func deleteSnapshot(_ snapshotID: String, range: (Int64, Int64), table: String, rowID: String) throws {
        try db.prepare("""
            DELETE FROM \(SQLIdentifier.quote(table))
            WHERE \(rowID) BETWEEN ?1 AND ?2 AND \(SQLIdentifier.quote(Self.snapshotIDColumn)) = ?3
            """).run([.integer(range.0), .integer(range.1), .text(snapshotID)])
        try systemStatement("DELETE FROM sluice_snapshots WHERE table_name = ?1 AND snapshot_id = ?2")
            .run([.text(table), .text(snapshotID)])
    }

    /// Records the completed snapshot with its rowid range, recreates `<table>_latest` and prunes beyond `keep`.
    private func finishSnapshot(_ snapshot: SnapshotInfo, table: String, rowID: String, runID: Int64, keep: Int?) throws {
        let first = (openSnapshot?.rowIDsAfter ?? 0) + 1
        let largest = try db.prepare("SELECT max(\(rowID)) FROM \(SQLIdentifier.quote(table))").query { $0.int64(0) }.first ?? 0
        let last = max(largest, first - 1)
        try systemStatement("""
            INSERT INTO sluice_snapshots(table_name, snapshot_id, snapshot_at, run_id, rows, completed_at, first_rowid, last_rowid)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            """).run([.text(table), .text(snapshot.id), .text(Timestamps.normalize(snapshot.at) ?? snapshot.at),
                      .integer(runID), .integer(last - first + 1), .text(timestamp), .integer(first), .integer(last)])
        if let keep, keep > 0 {
            let old = try systemStatement("""
                SELECT snapshot_id, first_rowid, last_rowid FROM sluice_snapshots WHERE table_name = ?1
                ORDER BY snapshot_at DESC, completed_at DESC, snapshot_id DESC LIMIT -1 OFFSET ?2
                """).query([.text(table), .integer(Int64(keep))]) { ($0.text(0) ?? "", $0.int64(1), $0.int64(2)) }
            for (id, firstRowID, lastRowID) in old {
                try deleteSnapshot(id, range: (firstRowID, lastRowID), table: table, rowID: rowID)
            }
        }
        try recreateLatestView(table, rowID: rowID)
    }

    /// `<table>_latest`: plain columns only (the ODBC driver types a view's column from its declared type,
    /// which an expression does not have), filtered to the newest complete snapshot by `snapshot_at`. SQLite
    /// seeks the snapshot's rowid range; the id test guards the range.
    func recreateLatestView(_ table: String, rowID: String) throws {
        let schema = try self.schema(for: table)
        let view = SQLIdentifier.quote(table + "_latest")
        let names = schema.columns.map(\.name) + [TableSchema.runIDColumn, TableSchema.loadedAtColumn,
                                                   Self.snapshotIDColumn, Self.snapshotAtColumn]
        // The table name is a validated identifier ([a-z_][a-z0-9_]*): safe as a literal, and a view has no parameters.
        let newest = { (column: String) in
            "(SELECT \(column) FROM sluice_snapshots WHERE table_name = '\(table)' "
                + "ORDER BY snapshot_at DESC, completed_at DESC, snapshot_id DESC LIMIT 1)"
        }
        let sql = """
            CREATE VIEW \(view) AS SELECT \(names.map(SQLIdentifier.quote).joined(separator: ", "))
            FROM \(SQLIdentifier.quote(table))
            WHERE \(rowID) BETWEEN \(newest("first_rowid")) AND \(newest("last_rowid"))
                AND \(SQLIdentifier.quote(Self.snapshotIDColumn)) = \(newest("snapshot_id"))
            """
        try db.execute("DROP VIEW IF EXISTS \(view)")
        try db.execute(sql)
    }
}

/// The dataset being appended inside the open unit: where its rowids start.
struct OpenSnapshot: Equatable {
    var table: String
    var id: String
    /// The table's largest rowid before the dataset's first row (0 for an empty table).
    var rowIDsAfter: Int64
}
