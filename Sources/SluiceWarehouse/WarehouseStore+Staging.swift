import SluiceCore
import Foundation

/// Datasets loaded in `replace` mode (the table holds exactly the newest complete dataset) or in `upsert` mode
/// from a source that delivers whole datasets (a WS1 report with a key): staged, then published in one short
/// transaction.
///
/// Each part is written to a TEMP staging table in a transaction of its own: TEMP tables live beside the
/// connection, not in the file, so staging takes no lock that other jobs' commits would wait for, and readers
/// never see it. The last part publishes in one transaction with the checkpoint: `replace` swaps the table's
/// contents (`DELETE` + `INSERT … SELECT`), `upsert` merges the staged rows (`INSERT … SELECT … ON CONFLICT`).
/// Readers see the old rows or the new, never a mix; a failed or killed load leaves the table as it was (the
/// staging dies with the connection). The swap keeps the table itself (its columns, its mapping in
/// `sluice_columns`, and any view an analyst built on it), which dropping and renaming would not.
extension WarehouseStore {
    /// The staging table of `job`'s dataset for `table`: a TEMP table, so it never appears in the file.
    static func stagingTable(job: String, table: String) -> String {
        "temp." + SQLIdentifier.quote("sluice_staging_\(job)_\(table)")
    }

    /// Stages one part; on the last part publishes the dataset. Returns the rows made visible.
    func writeStagedPart(_ batch: Batch, part: DatasetPart, job: String, runID: Int64) throws -> Int {
        let table = batch.target.table
        let keyed = batch.target.mode == .upsert
        let staging = Self.stagingTable(job: job, table: table)
        // The table's schema is created or widened first, in a short transaction of its own: a new column is
        // harmless to readers, and the staging table copies the table's columns.
        let plan = batch.columns.isEmpty ? nil : try transaction { try ensureSchema(for: batch, keyed: keyed, runID: runID) }
        if let plan {
            try ensureStaging(for: table, staging: staging, job: job)
            // A DEFERRED transaction that writes only TEMP tables never locks the warehouse file.
            try db.execute("BEGIN")
            do {
                let stmt = try insertStatement(plan, extra: [], into: staging)
                defer { stmt.clearBindings() }
                let count = plan.columns.count
                try stmt.bind(.integer(runID), at: Int32(count + 1))
                try stmt.bind(.text(timestamp), at: Int32(count + 2))
                _ = try insertRows(batch, plan: plan, statement: stmt)
                try db.execute("COMMIT")
            } catch {
                db.rollback()
                throw error
            }
        }
        guard part.isLast else { return 0 }
        try ensureStaging(for: table, staging: staging, job: job)
        let written = try transaction { () -> Int in
            let schema = try self.schema(for: table)
            let names = (schema.columns.map(\.name) + [TableSchema.runIDColumn, TableSchema.loadedAtColumn])
                .map(SQLIdentifier.quote).joined(separator: ", ")
            let quoted = SQLIdentifier.quote(table)
            let written: Int
            if keyed {
                try db.execute(Self.mergeSQL(table: table, staging: staging, columns: schema.columns.map(\.name),
                                             primaryKey: schema.primaryKey))
                written = db.changes
            } else {
                try db.execute("DELETE FROM \(quoted)")
                try db.execute("INSERT INTO \(quoted) (\(names)) SELECT \(names) FROM \(staging)")
                written = db.changes
            }
            try faultHook?(.afterRows)
            try writeState(job: job, values: batch.checkpoint)
            if let mark = batch.coverage { try writeCoverage(mark, job: job, runID: runID) }
            try faultHook?(.afterCheckpoint)
            return written
        }
        dropStaging(job: job)
        return written
    }

    /// Creates the staging table with the target's columns, or adds the ones the target gained since.
    ///
    /// Untyped columns: the values were already coerced for the target, and publishing copies them as they are.
    private func ensureStaging(for table: String, staging: String, job: String) throws {
        let wanted = try self.schema(for: table).columns.map(\.name) + [TableSchema.runIDColumn, TableSchema.loadedAtColumn]
        let bare = "sluice_staging_\(job)_\(table)"
        let have = Set(try db.prepare("SELECT name FROM pragma_table_info(?1, 'temp')").query([.text(bare)]) { $0.text(0) ?? "" })
        stagedTables[job, default: []].insert(staging)
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

    /// Drops the staging tables of `job` (after a publish, or when its run failed).
    func dropStaging(job: String) {
        guard let tables = stagedTables.removeValue(forKey: job) else { return }
        for staging in tables {
            upsertStatements = upsertStatements.filter { !$0.key.columns.contains(staging) }
            try? db.execute("DROP TABLE IF EXISTS \(staging)")
        }
    }

    /// `INSERT INTO t (…) SELECT … FROM staging WHERE true ON CONFLICT (key) DO UPDATE SET … WHERE <changed>`:
    /// the upsert of a page (``upsertSQL(table:columns:primaryKey:)``) for a whole staged dataset. (`WHERE true`
    /// keeps SQLite's parser from reading `ON CONFLICT` as a join constraint.)
    static func mergeSQL(table: String, staging: String, columns: [String], primaryKey: [String]) -> String {
        let all = (columns + [TableSchema.runIDColumn, TableSchema.loadedAtColumn]).map(SQLIdentifier.quote)
        let upsert = upsertSQL(table: table, columns: columns, primaryKey: primaryKey)
        let conflict = upsert[upsert.range(of: " ON CONFLICT ")!.lowerBound...]
        return "INSERT INTO \(SQLIdentifier.quote(table)) (\(all.joined(separator: ", "))) "
            + "SELECT \(all.joined(separator: ", ")) FROM \(staging) WHERE true" + conflict
    }
}
