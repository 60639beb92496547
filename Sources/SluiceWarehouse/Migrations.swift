/// A named, append-only schema change; its position in ``Migrations/all`` is its version.
struct Migration {
    /// Says what the change is for, in errors and reviews ("system tables").
    var name: String
    var sql: String
}

/// The warehouse's schema history, tracked with `PRAGMA user_version`.
///
/// Append-only: a released migration is never edited or reordered, because files in the field already
/// carry its version number. Each migration runs in its own transaction together with the version bump,
/// so a crash leaves the file at one version or the next, never between.
enum Migrations {
    static let all: [Migration] = [
        Migration(name: "system tables", sql: """
            CREATE TABLE sluice_runs(
                run_id INTEGER PRIMARY KEY AUTOINCREMENT,
                job TEXT NOT NULL,
                "trigger" TEXT NOT NULL CHECK ("trigger" IN ('schedule', 'manual', 'backfill')),
                started_at TIMESTAMP NOT NULL,
                finished_at TIMESTAMP,
                status TEXT NOT NULL
                    CHECK (status IN ('running', 'succeeded', 'unchanged', 'failed', 'cancelled', 'abandoned')),
                rows_written BIGINT NOT NULL DEFAULT 0,
                requests BIGINT NOT NULL DEFAULT 0,
                bytes_read BIGINT NOT NULL DEFAULT 0,
                error TEXT
            );
            CREATE INDEX sluice_runs_job ON sluice_runs(job, run_id);
            CREATE TABLE sluice_state(
                job TEXT NOT NULL,
                key TEXT NOT NULL,
                value TEXT,
                updated_at TIMESTAMP NOT NULL,
                PRIMARY KEY (job, key)
            );
            CREATE TABLE sluice_columns(
                table_name TEXT NOT NULL,
                column_name TEXT NOT NULL,
                source_name TEXT NOT NULL,
                declared_type TEXT NOT NULL,
                added_by_run BIGINT,
                PRIMARY KEY (table_name, column_name)
            );
            """),
    ]

    /// Brings `db` up to the newest version; returns the version it was at before.
    @discardableResult
    static func migrate(_ db: SQLiteDatabase, migrations: [Migration] = all) throws -> Int {
        let start = try version(of: db)
        guard start <= migrations.count else {
            throw SQLiteError(code: 1, extendedCode: 1,
                              message: "the warehouse is at schema version \(start), newer than this Sluice "
                                  + "knows (\(migrations.count)); use a newer Sluice",
                              statementKind: "migration")
        }
        for (index, migration) in migrations.enumerated().dropFirst(start) {
            do {
                try db.transaction {
                    try db.execute(migration.sql)
                    try db.execute("PRAGMA user_version = \(index + 1)")
                }
            } catch var error as SQLiteError {
                error.statementKind = "migration \(index + 1) (\(migration.name)), \(error.statementKind)"
                throw error
            }
        }
        return start
    }

    /// The file's `PRAGMA user_version` (0 for a new file).
    static func version(of db: SQLiteDatabase) throws -> Int {
        let stmt = try db.prepare("PRAGMA user_version")
        return try stmt.query { Int($0.int64(0)) }.first ?? 0
    }
}
