import SluiceCore

/// Which table column each batch column goes to, and the type its values are coerced to.
struct BatchPlan {
    var table: String
    /// Target column names, in batch column order.
    var columns: [String]
    /// Declared types, in batch column order (nil: bind as given).
    var types: [ColumnType?]
    /// The table's primary key column names.
    var primaryKey: [String]
}

extension WarehouseStore {
    /// Makes the table fit the batch: creates it, or adds the batch's new columns; records the names.
    ///
    /// A source name maps to the same column for the table's whole life (read back from `sluice_columns`);
    /// a new source name gets a fresh snake_case name that collides with nothing already in the table.
    /// `storedIn` names the table that holds the rows when readers see them through a view of another name
    /// (snapshot tables); `sluice_columns` and the cache always use the name readers see.
    func ensureSchema(for batch: Batch, keyed: Bool, runID: Int64, storedIn: String? = nil) throws -> BatchPlan {
        let target = batch.target
        let stored = storedIn ?? target.table
        try SQLIdentifier.validateTableName(target.table)
        guard batch.columns.count <= Column.maxColumns else {
            throw SluiceError(.badData, step: "", "the data has \(batch.columns.count) columns; a table holds at most "
                + "\(Column.maxColumns)")
        }
        var schema = try schema(for: target.table, storedIn: stored)
        try checkPseudonyms(target, schema: schema, storedIn: stored, runID: runID)
        let sources = Column.uniqueSourceNames(batch.columns.map(\.sourceName))

        var allocator = ColumnNameAllocator(
            taken: schema.allNames.union([TableSchema.runIDColumn, TableSchema.loadedAtColumn]))
        var added: [TableColumn] = []
        var plan = BatchPlan(table: target.table, columns: [], types: [], primaryKey: schema.primaryKey)
        for (index, source) in sources.enumerated() {
            if let existing = schema.column(forSource: source) {
                plan.columns.append(existing.name)
                plan.types.append(existing.type)
                continue
            }
            let name = allocator.allocate(for: source)
            let type = target.columnTypes[source] ?? target.columnTypes[name] ?? batch.columns[index].type
            added.append(TableColumn(name: name, sourceName: source, type: type))
            plan.columns.append(name)
            plan.types.append(type)
        }

        if keyed {
            let key = try resolveKey(target, sources: sources, columns: plan.columns)
            if schema.exists, key != schema.primaryKey {
                let existing = schema.primaryKey.isEmpty ? "none" : schema.primaryKey.joined(separator: ", ")
                throw SluiceError(.config, step: "primary key",
                                  "table '\(target.table)' has primary key (\(existing)) but the job declares "
                                      + "(\(key.joined(separator: ", "))); rename the target table or fix the key")
            }
            plan.primaryKey = key
        }
        guard !added.isEmpty else { return plan }
        guard schema.columns.count + added.count <= Column.maxColumns else {
            throw SluiceError(.badData, step: "", "table '\(target.table)' would grow past \(Column.maxColumns) columns "
                + "(it has \(schema.columns.count), the data adds \(added.count))")
        }

        if schema.exists {
            for column in added {
                try db.execute("ALTER TABLE \(SQLIdentifier.quote(stored)) ADD COLUMN "
                    + "\(SQLIdentifier.quote(column.name)) \(column.type?.rawValue ?? "TEXT")")
            }
            upsertStatements = upsertStatements.filter { $0.key.table != target.table }
        } else {
            try db.execute(Self.createTableSQL(stored, columns: added, primaryKey: plan.primaryKey))
            schema.exists = true
            schema.primaryKey = plan.primaryKey
            schema.add(TableColumn(name: TableSchema.runIDColumn, sourceName: nil, type: .bigint))
            schema.add(TableColumn(name: TableSchema.loadedAtColumn, sourceName: nil, type: .timestamp))
        }
        let record = try systemStatement("""
            INSERT INTO sluice_columns(table_name, column_name, source_name, declared_type, added_by_run)
            VALUES (?1, ?2, ?3, ?4, ?5)
            """)
        for column in added {
            try record.run([.text(target.table), .text(column.name), .text(column.sourceName ?? column.name),
                            .text(column.type?.rawValue ?? "TEXT"), .integer(runID)])
            schema.add(column)
        }
        schemas[target.table] = schema
        return plan
    }

    /// The cached schema of `table` (stored in `storedIn` when that is another table), read on first use.
    func schema(for table: String, storedIn: String? = nil) throws -> TableSchema {
        if let cached = schemas[table] { return cached }
        let info = try db.prepare("SELECT name, type, pk FROM pragma_table_info(?1)")
        let rows = try info.query([.text(storedIn ?? table)]) { row in
            (name: row.text(0) ?? "", type: row.text(1) ?? "", pk: Int(row.int64(2)))
        }
        var schema = TableSchema(table: table, exists: !rows.isEmpty)
        for row in rows {
            schema.add(TableColumn(name: row.name, sourceName: nil, type: ColumnType(rawValue: row.type.uppercased())))
        }
        schema.primaryKey = rows.filter { $0.pk > 0 }.sorted { $0.pk < $1.pk }.map(\.name)
        let mapping = try db.prepare("SELECT column_name, source_name FROM sluice_columns WHERE table_name = ?1")
        for (column, source) in try mapping.query([.text(table)], row: { ($0.text(0) ?? "", $0.text(1) ?? "") }) {
            schema.setSource(source, forColumn: column)
        }
        schemas[table] = schema
        return schema
    }

    /// The primary key as column names; entries may be source names or column names.
    private func resolveKey(_ target: TableTarget, sources: [String], columns: [String]) throws -> [String] {
        guard !target.primaryKey.isEmpty else {
            throw SluiceError(.config, step: "primary key",
                              "mode 'upsert' into table '\(target.table)' needs a primary key")
        }
        return try target.primaryKey.map { entry in
            if let index = sources.firstIndex(of: entry) { return columns[index] }
            if let name = columns.first(where: { $0.lowercased() == entry.lowercased() }) { return name }
            let shown = columns.prefix(20).joined(separator: ", ") + (columns.count > 20 ? ", …" : "")
            throw SluiceError(.config, step: "primary key",
                              "primary key '\(entry)' is not among the columns of table '\(target.table)' "
                                  + "in this batch (\(shown))")
        }
    }

    /// `CREATE TABLE` with the data columns, the metadata columns and the primary key (NOT NULL: a NULL key
    /// would never conflict and would duplicate rows on every re-read).
    static func createTableSQL(_ table: String, columns: [TableColumn], primaryKey: [String]) -> String {
        var parts = columns.map { column in
            let notNull = primaryKey.contains(column.name) ? " NOT NULL" : ""
            return "\(SQLIdentifier.quote(column.name)) \(column.type?.rawValue ?? "TEXT")\(notNull)"
        }
        parts.append("\(SQLIdentifier.quote(TableSchema.runIDColumn)) BIGINT")
        parts.append("\(SQLIdentifier.quote(TableSchema.loadedAtColumn)) TIMESTAMP")
        if !primaryKey.isEmpty {
            parts.append("PRIMARY KEY (\(primaryKey.map(SQLIdentifier.quote).joined(separator: ", ")))")
        }
        return "CREATE TABLE \(SQLIdentifier.quote(table)) (\n    \(parts.joined(separator: ",\n    "))\n)"
    }
}
