import SluiceCore

/// The two views readers query for a snapshot table: `<table>` (every published snapshot) and `<table>_latest`
/// (the newest complete one, by `snapshot_at`, so an older download loaded by a backfill never becomes "latest").
extension PostgresWarehouse {
    /// The metadata columns of a snapshot view and where they come from (`s` is `sluice_snapshots`).
    static let snapshotMetadata: [(name: String, expression: String)] = [
        (PostgresTable.runIDColumn, "s.run_id"),
        (PostgresTable.loadedAtColumn, "s.completed_at"),
        ("_sluice_snapshot_id", "s.snapshot_id"),
        ("_sluice_snapshot_at", "s.snapshot_at"),
    ]

    /// The name of the view of `table`'s newest snapshot (`<table>_latest`, hashed down to 63 bytes if need be).
    static func latestView(_ table: String) -> String {
        ColumnNaming.shortened(table, fullName: table, suffix: "_latest")
    }

    /// Creates the views, or adds the columns the row table gained since (at the end, with `CREATE OR REPLACE
    /// VIEW`, so a view an analyst built on them survives); leaves views that already show every column alone.
    func ensureViews(_ table: String, rowsTable: String, session: PostgresSession) async throws {
        let rows = try await PostgresTable.read(rowsTable, storage: rowsTable, schema: schema, session: session)
        let data = rows.columns.map(\.name)
        for (view, latest) in [(table, false), (Self.latestView(table), true)] {
            let existing = try await session.rows("""
                SELECT attname::text FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped
                ORDER BY attnum
                """, [.text(qualified(view))]).map { try $0.text(0) ?? "" }
            let missing = data.filter { !existing.contains($0) }
            guard !existing.isEmpty || !data.isEmpty, existing.isEmpty || !missing.isEmpty else { continue }
            let order = existing.isEmpty ? data + Self.snapshotMetadata.map(\.name) : existing + missing
            try await session.execute("SET LOCAL lock_timeout = '30s'")
            try await session.execute(viewSQL(view, table: table, rowsTable: rowsTable, columns: order, latest: latest))
            try await session.execute("SET LOCAL lock_timeout = 0")
        }
    }

    /// `CREATE OR REPLACE VIEW` selecting `columns` in that order: data columns from the rows, metadata columns from
    /// `sluice_snapshots`.
    private func viewSQL(_ view: String, table: String, rowsTable: String, columns: [String], latest: Bool) -> String {
        let quote = PostgresIdentifier.quote
        let metadata = Dictionary(uniqueKeysWithValues: Self.snapshotMetadata.map { ($0.name, $0.expression) })
        let selected = columns.map { name in metadata[name].map { "\($0) AS \(quote(name))" } ?? "r.\(quote(name))" }
        // The table name is a validated identifier ([a-z_][a-z0-9_]*): safe as a literal, and a view has no parameters.
        let name = PostgresIdentifier.literal(validatedName: table)
        let loadID = "r.\(quote(PostgresTable.loadIDColumn))"
        var sql = """
            CREATE OR REPLACE VIEW \(qualified(view)) AS SELECT \(selected.joined(separator: ", "))
            FROM \(qualified(rowsTable)) AS r JOIN \(qualified("sluice_snapshots")) AS s ON s.load_id = \(loadID)
            WHERE s.table_name = \(name)
            """
        if latest {
            sql += """
                 AND \(loadID) = (SELECT n.load_id FROM \(qualified("sluice_snapshots")) AS n WHERE n.table_name = \(name)
                    ORDER BY n.snapshot_at DESC, n.completed_at DESC, n.snapshot_id DESC LIMIT 1)
                """
        }
        return sql
    }
}
