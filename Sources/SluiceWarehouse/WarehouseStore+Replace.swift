import SluiceCore

/// `replace` mode (design.md §4): the table holds exactly the newest complete dataset.
///
/// The dataset's batches (one unit of work: `.deferred` batches, then a `.now` batch) are written to a
/// staging table; the `.now` batch swaps the contents in (`DELETE` + `INSERT … SELECT`) in the same
/// transaction as the checkpoint. Readers see the old rows or the new, never a mix, and a failed load leaves
/// the old rows in place. The swap keeps the table itself (its columns, its mapping in `sluice_columns`, and
/// any view an analyst built on it), which dropping and renaming would not.
extension WarehouseStore {
    /// The staging table of `table`: a TEMP table, so it never appears in the file readers open.
    static func stagingTable(_ table: String) -> String {
        "temp." + SQLIdentifier.quote("sluice_staging_" + table)
    }

    /// Stages `batch`'s rows; on the `.now` batch replaces the table's rows with everything staged.
    /// Returns the rows staged by this batch.
    func writeReplace(_ batch: Batch, runID: Int64) throws -> Int {
        let table = batch.target.table
        let plan = try ensureSchema(for: batch, keyed: false, runID: runID)
        let staging = Self.stagingTable(table)
        try ensureStaging(for: table, staging: staging)

        let stmt = try insertStatement(plan, extra: [], into: staging)
        defer { stmt.clearBindings() }
        let count = plan.columns.count
        try stmt.bind(.integer(runID), at: Int32(count + 1))
        try stmt.bind(.text(timestamp), at: Int32(count + 2))
        let written = try insertRows(batch, plan: plan, statement: stmt)

        if batch.commit == .now {
            let schema = try self.schema(for: table)
            let names = (schema.columns.map(\.name) + [TableSchema.runIDColumn, TableSchema.loadedAtColumn])
                .map(SQLIdentifier.quote).joined(separator: ", ")
            let quoted = SQLIdentifier.quote(table)
            try db.execute("DELETE FROM \(quoted)")
            try db.execute("INSERT INTO \(quoted) (\(names)) SELECT \(names) FROM \(staging)")
            try db.execute("DROP TABLE \(staging)")
            upsertStatements = upsertStatements.filter { !$0.key.columns.contains(staging) }
        }
        return written
    }

    /// Creates the staging table with the target's columns, or adds the ones the target gained since.
    ///
    /// Untyped columns: the values were already coerced for the target, and the swap copies them as they are.
    private func ensureStaging(for table: String, staging: String) throws {
        let wanted = try self.schema(for: table).columns.map(\.name) + [TableSchema.runIDColumn, TableSchema.loadedAtColumn]
        let have = Set(try db.prepare("SELECT name FROM pragma_table_info(?1, 'temp')")
            .query([.text("sluice_staging_" + table)]) { $0.text(0) ?? "" })
        if have.isEmpty {
            try db.execute("CREATE TEMP TABLE \(staging) (\(wanted.map(SQLIdentifier.quote).joined(separator: ", ")))")
            return
        }
        let missing = wanted.filter { !have.contains($0) }
        for name in missing {
            try db.execute("ALTER TABLE \(staging) ADD COLUMN \(SQLIdentifier.quote(name))")
        }
        if !missing.isEmpty { upsertStatements = upsertStatements.filter { !$0.key.columns.contains(staging) } }
    }
}
