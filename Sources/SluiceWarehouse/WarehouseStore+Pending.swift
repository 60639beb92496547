import SluiceCore

/// A snapshot being appended: its row in `sluice_pending` (purpose `loading`) and the span of rowids its parts
/// took so far.
struct LoadingRecord {
    var id: Int64
    var job: String
    var first: Int64?
    var last: Int64?
    var rows: Int64

    /// Widens the span to a part's rows.
    mutating func include(first: Int64, last: Int64, rows: Int64) {
        self.first = Swift.min(self.first ?? first, first)
        self.last = Swift.max(self.last ?? last, last)
        self.rows += rows
    }
}

/// `sluice_pending`: rows of snapshot tables that no reader sees and that are still to be published or
/// deleted. Written in the same transactions as the rows themselves, so after a crash it says exactly what
/// to remove.
extension WarehouseStore {
    /// The `loading` record of snapshot `snapshot` of `table` for this run, made on its first part.
    func loadingRecord(table: String, snapshot: String, job: String, runID: Int64) throws -> LoadingRecord {
        if let found = try systemStatement("""
            SELECT pending_id, first_rowid, last_rowid, rows FROM sluice_pending
            WHERE table_name = ?1 AND snapshot_id = ?2 AND purpose = 'loading' AND run_id = ?3
            """).query([.text(table), .text(snapshot), .integer(runID)], row: { row in
                LoadingRecord(id: row.int64(0), job: job, first: row.isNull(1) ? nil : row.int64(1),
                              last: row.isNull(2) ? nil : row.int64(2), rows: row.int64(3))
            }).first {
            return found
        }
        try systemStatement("""
            INSERT INTO sluice_pending(table_name, snapshot_id, purpose, job, run_id) VALUES (?1, ?2, 'loading', ?3, ?4)
            """).run([.text(table), .text(snapshot), .text(job), .integer(runID)])
        return LoadingRecord(id: db.lastInsertRowID, job: job, first: nil, last: nil, rows: 0)
    }

    /// Writes the span and row count of a loading snapshot (in the transaction of the part that widened it).
    func saveLoading(_ record: LoadingRecord) throws {
        try systemStatement("UPDATE sluice_pending SET first_rowid = ?2, last_rowid = ?3, rows = ?4 WHERE pending_id = ?1")
            .run([.integer(record.id), record.first.map(Value.integer) ?? .null, record.last.map(Value.integer) ?? .null,
                  .integer(record.rows)])
    }

    /// Hands the rows of a snapshot that is no longer visible (pruned, or replaced by a new load of its id) to
    /// the purge list.
    func addPurge(table: String, snapshot: String, first: Int64, last: Int64, job: String) throws {
        guard first <= last else { return }
        try systemStatement("""
            INSERT INTO sluice_pending(table_name, snapshot_id, purpose, job, first_rowid, last_rowid)
            VALUES (?1, ?2, 'purge', ?3, ?4, ?5)
            """).run([.text(table), .text(snapshot), .text(job), .integer(first), .integer(last)])
    }

    /// Deletes the rows of every `purge` record (each chunk in a short transaction of its own), then the record.
    /// Never throws: what cannot be deleted now stays listed and is tried again after the next publish.
    func purgePending() {
        guard let records = try? systemStatement("""
            SELECT pending_id, table_name, snapshot_id, first_rowid, last_rowid FROM sluice_pending WHERE purpose = 'purge'
            """).query(row: { ($0.int64(0), $0.text(1) ?? "", $0.text(2) ?? "", $0.int64(3), $0.int64(4)) }) else { return }
        for (id, table, snapshot, first, last) in records {
            guard (try? deleteRows(table: table, snapshot: snapshot, first: first, last: last)) != nil else { continue }
            _ = try? transaction { try systemStatement("DELETE FROM sluice_pending WHERE pending_id = ?1").run([.integer(id)]) }
        }
    }

    /// Deletes the rows of unpublished loads of `job` (of run `runID`, or of every run when nil) and their
    /// records. Never throws: a load that cannot be removed now is removed before the job's next run.
    func discardLoads(job: String, runID: Int64?) {
        guard let records = try? systemStatement("""
            SELECT pending_id, table_name, snapshot_id, first_rowid, last_rowid FROM sluice_pending
            WHERE job = ?1 AND purpose = 'loading' AND (?2 IS NULL OR run_id = ?2)
            """).query([.text(job), runID.map(Value.integer) ?? .null], row: { row in
                (row.int64(0), row.text(1) ?? "", row.text(2) ?? "", row.isNull(3) ? nil : row.int64(3), row.int64(4))
            }) else { return }
        for (id, table, snapshot, first, last) in records {
            if let first, (try? deleteRows(table: table, snapshot: snapshot, first: first, last: last)) == nil { continue }
            _ = try? transaction { try systemStatement("DELETE FROM sluice_pending WHERE pending_id = ?1").run([.integer(id)]) }
        }
    }

    /// Deletes the rows of `snapshot` in `first...last` of `table`'s row table, in chunks of ``purgeChunk``
    /// rowids, each chunk its own transaction (a pruned million-row snapshot must not hold the writer for long).
    private func deleteRows(table: String, snapshot: String, first: Int64, last: Int64) throws {
        let rows = SQLIdentifier.quote(Self.rowsTable(table))
        let exists = try db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1")
            .query([.text(Self.rowsTable(table))]) { $0.int64(0) }.first ?? 0
        guard exists > 0 else { return }
        let alias = try schema(for: table, storedIn: Self.rowsTable(table)).allNames.contains("rowid") ? "_rowid_" : "rowid"
        let delete = try db.prepare("""
            DELETE FROM \(rows) WHERE \(alias) BETWEEN ?1 AND ?2 AND \(SQLIdentifier.quote(Self.snapshotIDColumn)) = ?3
            """)
        var start = first
        while start <= last {
            let end = min(last, start + Self.purgeChunk - 1)
            try transaction { try delete.run([.integer(start), .integer(end), .text(snapshot)]) }
            start = end + 1
        }
    }
}
