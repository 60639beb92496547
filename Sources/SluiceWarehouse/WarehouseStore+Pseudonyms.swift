import SluiceCore

extension WarehouseStore {
    /// Refuses a batch whose pseudonyms were made with another key or field list than the table's values
    /// (``PseudonymFingerprint/decide(table:stored:holdsData:wanted:)``); records the fingerprint with the first
    /// pseudonymised rows of a table, in the batch's transaction.
    func checkPseudonyms(_ target: TableTarget, schema: TableSchema, storedIn: String, runID: Int64) throws {
        guard let wanted = target.pseudonyms, pseudonymsChecked[target.table] != wanted else { return }
        let stored = try storedPseudonyms(table: target.table)
        let holdsData = try schema.exists && tableHoldsRows(storedIn)
        switch PseudonymFingerprint.decide(table: target.table, stored: stored, holdsData: holdsData, wanted: wanted) {
        case .accept:
            break
        case .record:
            try systemStatement("""
                INSERT INTO sluice_pseudonyms(table_name, key_check, fields, set_by_job, set_at)
                SELECT ?1, ?2, ?3, coalesce((SELECT job FROM sluice_runs WHERE run_id = ?4), ''), ?5
                ON CONFLICT (table_name) DO UPDATE SET key_check = excluded.key_check, fields = excluded.fields,
                    set_by_job = excluded.set_by_job, set_at = excluded.set_at
                """).run([.text(target.table), .text(wanted.keyCheck), .text(wanted.storedFields), .integer(runID),
                          .text(timestamp)])
        case .refuse(let reason):
            throw SluiceError(.config, step: "pseudonyms", reason)
        }
        pseudonymsChecked[target.table] = wanted
    }

    /// The fingerprint recorded for `table`, if any.
    func storedPseudonyms(table: String) throws -> PseudonymFingerprint? {
        try systemStatement("SELECT key_check, fields FROM sluice_pseudonyms WHERE table_name = ?1")
            .query([.text(table)]) { PseudonymFingerprint(keyCheck: $0.text(0) ?? "", storedFields: $0.text(1) ?? "") }
            .first
    }

    /// Whether `table` (a data table or a snapshot's rows table) has at least one row; false when it is missing.
    func tableHoldsRows(_ table: String) throws -> Bool {
        let exists = try db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1").query([.text(table)]) { _ in 1 }
        guard !exists.isEmpty else { return false }
        return try !db.prepare("SELECT 1 FROM \(SQLIdentifier.quote(table)) LIMIT 1").query { _ in 1 }.isEmpty
    }

    /// What `validate` compares a job against: the stored fingerprint of `table` and whether it holds rows
    /// (snapshot tables hold theirs in their rows table).
    func pseudonymState(table: String) throws -> (stored: PseudonymFingerprint?, holdsData: Bool) {
        let holds = try tableHoldsRows(table) || tableHoldsRows(Self.rowsTable(table))
        // A file from before fingerprints were kept, opened read-only (not migrated), has no such table.
        let recorded = try db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sluice_pseudonyms'").query { _ in 1 }
        return (recorded.isEmpty ? nil : try storedPseudonyms(table: table), holds)
    }
}
