import SluiceCore
import Synchronization

/// Which table column each batch column goes to, and the type its values are coerced to.
struct CopyPlan {
    var table: String
    /// Target column names, in batch column order.
    var columns: [String]
    /// Declared types, in batch column order (nil: sent as given).
    var types: [ColumnType?]
    /// The table's primary key column names.
    var primaryKey: [String]
}

/// What a table is created as.
enum StorageShape {
    /// A plain table with the metadata columns (`upsert`, `replace`).
    case plain
    /// The partitioned row table of a snapshot table (one partition per load, metadata in `sluice_snapshots`).
    case snapshotRows
}

/// Schema evolution: tables are created on first use and gain a column with `ALTER TABLE … ADD COLUMN` when a new
/// source name appears; the name mapping is recorded in `sluice_columns`, exactly as in the SQLite file.
extension PostgresWarehouse {
    /// Makes table `batch.target.table` (its rows in `storage`) fit the batch inside the caller's transaction;
    /// returns the plan and the table's new picture (to cache once the transaction commits).
    ///
    /// When the cached picture already maps every source name (and the key matches), nothing is read or locked.
    /// Otherwise the table's transaction-level advisory lock is taken (instances that add columns to one table
    /// queue up), the catalog is read afresh and the missing columns are added, waiting at most 10 s for readers.
    func ensureSchema(for batch: Batch, keyed: Bool, runID: Int64, storage: String? = nil, shape: StorageShape = .plain,
                      session: PostgresSession) async throws -> (CopyPlan, PostgresTable) {
        let target = batch.target
        try PostgresIdentifier.validateTableName(target.table)
        guard batch.columns.count <= Column.maxColumns else {
            throw SluiceError(.badData, step: "", "the data has \(batch.columns.count) columns; a table holds at most "
                + "\(Column.maxColumns)")
        }
        let stored = storage ?? target.table
        let sources = Column.uniqueSourceNames(batch.columns.map(\.sourceName))
        if let cached = try cachedPlan(for: batch, keyed: keyed, storage: stored) { return cached }
        try await session.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                                  [.text("sluice table \(schema).\(target.table)")])
        var table = try await PostgresTable.read(target.table, storage: stored, schema: schema, session: session)
        if shape == .plain, let kind = table.kind, kind != "r" {
            throw SluiceError(.config, step: "", "'\(target.table)' is written by a job in snapshot mode (it is a view over "
                + "its snapshots); an upsert or replace table needs a name of its own: give one of the jobs another target.table")
        }
        var allocator = ColumnNameAllocator(
            taken: table.allNames.union([PostgresTable.runIDColumn, PostgresTable.loadedAtColumn, PostgresTable.loadIDColumn]))
        var added: [PostgresColumn] = []
        for (index, source) in sources.enumerated() where table.column(forSource: source) == nil {
            let name = allocator.allocate(for: source)
            let type = target.columnTypes[source] ?? target.columnTypes[name] ?? batch.columns[index].type
            added.append(PostgresColumn(name: name, sourceName: source, type: type))
        }
        let plan = try plan(for: batch, sources: sources, table: table, keyed: keyed, added: added)
        if keyed, table.exists, plan.primaryKey != table.primaryKey {
            let existing = table.primaryKey.isEmpty ? "none" : table.primaryKey.joined(separator: ", ")
            throw SluiceError(.config, step: "primary key",
                              "table '\(target.table)' has primary key (\(existing)) but the job declares "
                                  + "(\(plan.primaryKey.joined(separator: ", "))); rename the target table or fix the key")
        }
        guard !added.isEmpty else { return (plan, table) }
        guard table.columns.count + added.count <= Column.maxColumns else {
            throw SluiceError(.badData, step: "", "table '\(target.table)' would grow past \(Column.maxColumns) columns "
                + "(it has \(table.columns.count), the data adds \(added.count))")
        }
        try await session.execute("SET LOCAL lock_timeout = '10s'")
        if table.exists {
            let clauses = added.map { "ADD COLUMN \(PostgresIdentifier.quote($0.name)) \(PostgresTypes.sql($0.type))" }
            try await session.execute("ALTER TABLE \(qualified(stored)) " + clauses.joined(separator: ", "))
        } else {
            try await session.execute(Self.createTableSQL(qualified(stored), columns: added, primaryKey: plan.primaryKey,
                                                          shape: shape))
            table.kind = shape == .plain ? "r" : "p"
            table.primaryKey = plan.primaryKey
            switch shape {
            case .plain:
                table.add(PostgresColumn(name: PostgresTable.runIDColumn, sourceName: nil, type: .bigint))
                table.add(PostgresColumn(name: PostgresTable.loadedAtColumn, sourceName: nil, type: .timestamp))
            case .snapshotRows:
                table.add(PostgresColumn(name: PostgresTable.loadIDColumn, sourceName: nil, type: .bigint))
            }
        }
        try await session.execute("SET LOCAL lock_timeout = 0")
        for column in added {
            try await session.execute("""
                INSERT INTO sluice_columns(table_name, column_name, source_name, declared_type, added_by_run)
                VALUES ($1, $2, $3, $4, $5)
                """, [.text(target.table), .text(column.name), .text(column.sourceName ?? column.name),
                      .text(column.type?.rawValue ?? "TEXT"), .integer(runID)])
            table.add(column)
        }
        return (plan, table)
    }

    /// The plan for `batch` from the cached picture of its table, when that picture already maps every source name
    /// (and the key matches): no DDL is needed, so nothing has to be read or locked. Nil otherwise.
    func cachedPlan(for batch: Batch, keyed: Bool, storage: String? = nil) throws -> (CopyPlan, PostgresTable)? {
        let stored = storage ?? batch.target.table
        guard let cached = tables.withLock({ $0[batch.target.table] }), cached.exists, cached.storage == stored,
              batch.columns.count <= Column.maxColumns else { return nil }
        let sources = Column.uniqueSourceNames(batch.columns.map(\.sourceName))
        guard sources.allSatisfy({ cached.column(forSource: $0) != nil }) else { return nil }
        let plan = try plan(for: batch, sources: sources, table: cached, keyed: keyed, added: [])
        return !keyed || plan.primaryKey == cached.primaryKey ? (plan, cached) : nil
    }

    /// Keeps `table`'s picture for later batches (never replacing a picture that knows more columns).
    func remember(_ table: PostgresTable) {
        tables.withLock { cache in
            if let known = cache[table.name], known.storage == table.storage, known.allNames.count > table.allNames.count {
                return
            }
            cache[table.name] = table
        }
    }

    /// Forgets the picture of `name` (its transaction failed: an ALTER in it was rolled back).
    func forget(_ name: String) {
        _ = tables.withLock { $0.removeValue(forKey: name) }
    }

    private func plan(for batch: Batch, sources: [String], table: PostgresTable, keyed: Bool,
                      added: [PostgresColumn]) throws -> CopyPlan {
        var plan = CopyPlan(table: batch.target.table, columns: [], types: [], primaryKey: table.primaryKey)
        for source in sources {
            let column = table.column(forSource: source) ?? added.first { $0.sourceName == source }!
            plan.columns.append(column.name)
            plan.types.append(column.type)
        }
        if keyed { plan.primaryKey = try resolveKey(batch.target, sources: sources, columns: plan.columns) }
        return plan
    }

    /// The primary key as column names; entries may be source names or column names.
    private func resolveKey(_ target: TableTarget, sources: [String], columns: [String]) throws -> [String] {
        guard !target.primaryKey.isEmpty else {
            throw SluiceError(.config, step: "primary key", "mode 'upsert' into table '\(target.table)' needs a primary key")
        }
        return try target.primaryKey.map { entry in
            if let index = sources.firstIndex(of: entry) { return columns[index] }
            if let name = columns.first(where: { $0.lowercased() == entry.lowercased() }) { return name }
            let shown = columns.prefix(20).joined(separator: ", ") + (columns.count > 20 ? ", …" : "")
            throw SluiceError(.config, step: "primary key",
                              "primary key '\(entry)' is not among the columns of table '\(target.table)' in this batch "
                                  + "(\(shown))")
        }
    }

    /// `CREATE TABLE` with the data columns and, for a plain table, the metadata columns and the primary key.
    static func createTableSQL(_ qualified: String, columns: [PostgresColumn], primaryKey: [String],
                               shape: StorageShape) -> String {
        var parts = columns.map { column in
            let notNull = primaryKey.contains(column.name) ? " NOT NULL" : ""
            return "\(PostgresIdentifier.quote(column.name)) \(PostgresTypes.sql(column.type))\(notNull)"
        }
        switch shape {
        case .plain:
            parts.append("\(PostgresIdentifier.quote(PostgresTable.runIDColumn)) BIGINT")
            parts.append("\(PostgresIdentifier.quote(PostgresTable.loadedAtColumn)) TIMESTAMPTZ")
            if !primaryKey.isEmpty {
                parts.append("PRIMARY KEY (\(primaryKey.map(PostgresIdentifier.quote).joined(separator: ", ")))")
            }
            return "CREATE TABLE \(qualified) (\n    \(parts.joined(separator: ",\n    "))\n)"
        case .snapshotRows:
            parts.append("\(PostgresIdentifier.quote(PostgresTable.loadIDColumn)) BIGINT NOT NULL")
            return "CREATE TABLE \(qualified) (\n    \(parts.joined(separator: ",\n    "))\n) "
                + "PARTITION BY LIST (\(PostgresIdentifier.quote(PostgresTable.loadIDColumn)))"
        }
    }
}
