import SluiceCore

/// Row insertion shared by every load mode: the cached statements and the per-row binding loops, for
/// ``Value`` rows and for ``PackedRows``.
extension WarehouseStore {
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
        if let packed = batch.packed { return try insertRows(packed, plan: plan, statement: stmt) }
        let count = plan.columns.count
        var written = 0
        for (rowIndex, row) in batch.rows.enumerated() {
            guard row.count == count else {
                throw SluiceError(.badData, step: "row \(rowIndex + 1)",
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
            written += try stepRow(stmt, rowIndex)
        }
        return written
    }

    /// The same for packed rows: cells that already have their column's type are bound from the batch's buffer
    /// as they are; any other cell goes through the same coercion as a ``Value`` would.
    private func insertRows(_ packed: PackedRows, plan: BatchPlan, statement stmt: SQLiteStatement) throws -> Int {
        let count = plan.columns.count
        guard packed.columnCount == count else {
            throw SluiceError(.badData, step: "row 1", "the rows have \(packed.columnCount) values but the batch has \(count) columns")
        }
        var written = 0
        try packed.withCells { cells in
            for rowIndex in 0..<packed.rowCount {
                stmt.beginRow()
                for column in 0..<count {
                    let cell = rowIndex * count + column, index = Int32(column + 1), type = plan.types[column]
                    switch cells.kind(cell) {
                    case .null:
                        try stmt.bind(.null, at: index)
                    case .integer where type == nil || type == .bigint:
                        try stmt.bind(.integer(cells.integer(cell)), at: index)
                    case .double where type == nil || type == .double:
                        try stmt.bind(.double(cells.double(cell)), at: index)
                    case .bool where type == nil || type == .boolean:
                        try stmt.bind(.bool(cells.bool(cell)), at: index)
                    case .text where type == nil || type == .text || type == .date
                        || (type == .timestamp && Timestamps.isNormalized(utf8: cells.text(cell))):
                        try stmt.bindStaticText(cells.text(cell), at: index)
                    default:
                        let value = packed.value(row: rowIndex, column: column)
                        try stmt.bindRowValue(type.map { value.coerced(to: $0) } ?? value, at: index)
                    }
                }
                written += try stepRow(stmt, rowIndex)
            }
        }
        return written
    }

    /// Steps the bound row and resets; returns the rows SQLite changed. Errors name the row.
    private func stepRow(_ stmt: SQLiteStatement, _ rowIndex: Int) throws -> Int {
        do {
            try stmt.step()
        } catch var error as SQLiteError {
            error.statementKind += " of row \(rowIndex + 1)"
            throw error
        }
        stmt.reset()
        return db.changes
    }
}
