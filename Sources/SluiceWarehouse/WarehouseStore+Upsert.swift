import SluiceCore

/// Identifies one cached upsert statement: the table and the batch's column list.
struct UpsertKey: Hashable {
    var table: String
    var columns: [String]
}

extension WarehouseStore {
    /// Upserts every row of `batch`; returns how many rows were inserted or really changed.
    ///
    /// The run id and load time are bound once per batch (bindings survive `reset`); per row only the data
    /// parameters are bound, so the loop is the raw prepared-statement loop plus type coercion.
    func writeUpsert(_ batch: Batch, plan: BatchPlan, runID: Int64) throws -> Int {
        let stmt = try upsertStatement(plan)
        defer { stmt.clearBindings() }  // frees SQLite's copies of the last row's text
        let count = plan.columns.count
        try stmt.bind(.integer(runID), at: Int32(count + 1))
        try stmt.bind(.text(timestamp), at: Int32(count + 2))

        return try insertRows(batch, plan: plan, statement: stmt)
    }

    /// The prepared upsert for `plan`, compiled on first use and then reused for every batch like it.
    private func upsertStatement(_ plan: BatchPlan) throws -> SQLiteStatement {
        let key = UpsertKey(table: plan.table, columns: plan.columns)
        if let stmt = upsertStatements[key] { return stmt }
        let sql = Self.upsertSQL(table: plan.table, columns: plan.columns, primaryKey: plan.primaryKey)
        let stmt = try db.prepare(sql, persistent: true)
        upsertStatements[key] = stmt
        return stmt
    }

    /// `INSERT … ON CONFLICT(key) DO UPDATE SET … WHERE <a data column differs>`.
    ///
    /// The WHERE clause makes re-reading an unchanged row a no-op: nothing is written and
    /// `sqlite3_changes()` stays 0, so "rows written" counts only real inserts and changes, and the
    /// metadata columns keep the run that last changed the row. Only the batch's columns are set, so a
    /// batch lacking a column leaves that column alone.
    static func upsertSQL(table: String, columns: [String], primaryKey: [String]) -> String {
        let quotedTable = SQLIdentifier.quote(table)
        let all = columns + [TableSchema.runIDColumn, TableSchema.loadedAtColumn]
        let names = all.map(SQLIdentifier.quote).joined(separator: ", ")
        let params = (1...all.count).map { "?\($0)" }.joined(separator: ", ")
        let key = primaryKey.map(SQLIdentifier.quote).joined(separator: ", ")
        var sql = "INSERT INTO \(quotedTable) (\(names)) VALUES (\(params)) ON CONFLICT (\(key)) "

        let data = columns.filter { !primaryKey.contains($0) }.map(SQLIdentifier.quote)
        guard !data.isEmpty else { return sql + "DO NOTHING" }
        let metadata = [TableSchema.runIDColumn, TableSchema.loadedAtColumn].map(SQLIdentifier.quote)
        sql += "DO UPDATE SET " + (data + metadata).map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        sql += " WHERE " + data.map { "\(quotedTable).\($0) IS NOT excluded.\($0)" }.joined(separator: " OR ")
        return sql
    }
}
