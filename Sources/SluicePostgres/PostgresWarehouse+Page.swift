import SluiceCore
import Logging

/// `upsert` pages: the page is COPYed into a temporary table of the session and merged with one
/// `INSERT … SELECT … ON CONFLICT DO UPDATE … WHERE <a column differs>`, together with the checkpoint, in one
/// transaction.
extension PostgresWarehouse {
    /// Upserts a page and writes its checkpoint; returns the rows inserted or really changed.
    func writePage(_ batch: Batch, job: String, runID: Int64) async throws -> Int {
        let table = batch.target.table
        return try await pool.withSession { session in
            do {
                let (written, picture, misfits) = try await session.transaction { () -> (Int, PostgresTable?, [Int: Int]) in
                    guard !batch.columns.isEmpty else {
                        guard batch.rowCount == 0 else {
                            throw SluiceError(.warehouse, step: "", "the batch has rows but no columns")
                        }
                        // A page without rows (Power BI sends those) only advances the checkpoint.
                        try await writeState(job: job, values: batch.checkpoint, session: session)
                        if let mark = batch.coverage { try await writeCoverage(mark, job: job, runID: runID, session: session) }
                        return (0, nil, [:])
                    }
                    let (plan, picture) = try await ensureSchema(for: batch, keyed: true, runID: runID, session: session)
                    try PostgresSession.checkWidth(batch, columns: plan.columns.count)
                    try PostgresSession.checkKeys(batch, plan: plan)
                    let (written, misfits) = try await merge(batch, plan: plan, runID: runID, session: session)
                    try await writeState(job: job, values: batch.checkpoint, session: session)
                    if let mark = batch.coverage { try await writeCoverage(mark, job: job, runID: runID, session: session) }
                    return (written, picture, misfits)
                }
                if let picture { remember(picture) }
                reportMisfits(misfits, plan: batch, table: table)
                return written
            } catch {
                forget(table)
                throw error
            }
        }
    }

    /// COPYs the batch into the session's temporary table for this column set, then merges it into the table.
    private func merge(_ batch: Batch, plan: CopyPlan, runID: Int64, session: PostgresSession) async throws
        -> (Int, [Int: Int]) {
        let temporary = PostgresIdentifier.pageTable(plan.table, columns: plan.columns + plan.types.map { $0?.rawValue ?? "?" })
        if !session.hasTemporaryTable(temporary) {
            let names = plan.columns.map(PostgresIdentifier.quote).joined(separator: ", ")
            try await session.execute("""
                CREATE TEMP TABLE IF NOT EXISTS \(PostgresIdentifier.quote(temporary)) ON COMMIT DELETE ROWS
                AS SELECT \(names) FROM \(qualified(plan.table)) WITH NO DATA
                """)
            session.addTemporaryTable(temporary)
        }
        let misfits = try await session.copyRows(batch, into: temporary, columns: plan.columns, types: plan.types)
        let written = try await session.execute(
            Self.mergeSQL(into: qualified(plan.table), from: PostgresIdentifier.quote(temporary), columns: plan.columns,
                          primaryKey: plan.primaryKey),
            [.integer(runID), .text(timestamp)], kind: "INSERT")
        return (written, misfits)
    }

    /// `INSERT INTO t (…) SELECT DISTINCT ON (key) … FROM source ORDER BY key, ctid DESC ON CONFLICT (key) DO UPDATE
    /// SET … WHERE ROW(t.…) IS DISTINCT FROM ROW(EXCLUDED.…)`, with `$1` the run id and `$2` the load time.
    ///
    /// As in SQLite's upsert: re-reading an unchanged row writes nothing (and is not counted), the metadata columns
    /// keep the run that last changed the row, and only the batch's columns are set. A key that appears twice in
    /// one batch keeps its last row (PostgreSQL refuses to update one row twice in one statement).
    package static func mergeSQL(into table: String, from source: String, columns: [String], primaryKey: [String]) -> String {
        let quote = PostgresIdentifier.quote
        let metadata = [PostgresTable.runIDColumn, PostgresTable.loadedAtColumn].map(quote)
        let key = primaryKey.map(quote).joined(separator: ", ")
        let selected = columns.map(quote) + ["$1::bigint", "$2::timestamptz"]
        var sql = "INSERT INTO \(table) AS t (\((columns.map(quote) + metadata).joined(separator: ", "))) "
            + "SELECT DISTINCT ON (\(key)) \(selected.joined(separator: ", ")) FROM \(source) "
            + "ORDER BY \(key), ctid DESC ON CONFLICT (\(key)) "
        let data = columns.filter { !primaryKey.contains($0) }.map(quote)
        guard !data.isEmpty else { return sql + "DO NOTHING" }
        sql += "DO UPDATE SET " + (data + metadata).map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", ")
        sql += " WHERE ROW(\(data.map { "t.\($0)" }.joined(separator: ", "))) IS DISTINCT FROM "
            + "ROW(\(data.map { "EXCLUDED.\($0)" }.joined(separator: ", ")))"
        return sql
    }

    /// Logs how many values of which columns were written as NULL because they did not fit their column's type
    /// (never the values themselves).
    func reportMisfits(_ misfits: [Int: Int], plan batch: Batch, table: String) {
        guard !misfits.isEmpty else { return }
        let columns = misfits.keys.sorted().map { "\(batch.columns[$0].sourceName) (\(misfits[$0]!))" }.joined(separator: ", ")
        logger.warning("""
            values that do not fit their column's type were written as NULL: \(columns); declare such a column as text \
            under target.columns on a new table to keep them
            """, metadata: ["db.table": "\(table)", "run.page": "\(batch.origin)"])
    }
}
