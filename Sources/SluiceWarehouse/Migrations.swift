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
        // The freshness view BI dashboards read. The SQLite3 ODBC driver types a result column by its
        // declared type and guesses from the first row's value for expressions (so `max(finished_at)`
        // would reach Power BI as text). Every column of the view is therefore a plain column of a table:
        // the per-job newest rows come from joins on `run_id`, and the counts, which no plain column of
        // `sluice_runs` holds, are kept in `sluice_job_counters` by a trigger on the run's final status.
        Migration(name: "job health view", sql: """
            CREATE TABLE sluice_job_counters(
                job TEXT PRIMARY KEY,
                finished_runs BIGINT NOT NULL DEFAULT 0,
                consecutive_failures BIGINT NOT NULL DEFAULT 0
            );
            INSERT INTO sluice_job_counters(job, finished_runs, consecutive_failures)
            SELECT r.job, sum(r.status <> 'running'),
                   sum(r.status IN ('failed', 'abandoned') AND r.run_id > coalesce(
                       (SELECT max(s.run_id) FROM sluice_runs AS s
                        WHERE s.job = r.job AND s.status IN ('succeeded', 'unchanged')), 0))
            FROM sluice_runs AS r GROUP BY r.job;
            CREATE TRIGGER sluice_runs_count_finished AFTER UPDATE OF status ON sluice_runs
            WHEN OLD.status = 'running' AND NEW.status <> 'running'
            BEGIN
                INSERT INTO sluice_job_counters(job, finished_runs, consecutive_failures)
                VALUES (NEW.job, 1, NEW.status IN ('failed', 'abandoned'))
                ON CONFLICT (job) DO UPDATE SET
                    finished_runs = finished_runs + 1,
                    consecutive_failures = CASE
                        WHEN NEW.status IN ('succeeded', 'unchanged') THEN 0
                        WHEN NEW.status IN ('failed', 'abandoned') THEN consecutive_failures + 1
                        ELSE consecutive_failures
                    END;
            END;
            CREATE VIEW sluice_job_health AS
            SELECT last.job AS job,
                   last.status AS last_status,
                   last.started_at AS last_started_at,
                   last.finished_at AS last_finished_at,
                   success.finished_at AS last_success_at,
                   success.rows_written AS last_success_rows,
                   failure.finished_at AS last_failure_at,
                   failure.error AS last_error,
                   counters.finished_runs AS finished_runs,
                   counters.consecutive_failures AS consecutive_failures
            FROM (SELECT max(run_id) AS run_id FROM sluice_runs GROUP BY job) AS newest
            JOIN sluice_runs AS last ON last.run_id = newest.run_id
            LEFT JOIN sluice_runs AS success ON success.run_id = (
                SELECT max(run_id) FROM sluice_runs WHERE job = last.job AND status IN ('succeeded', 'unchanged'))
            LEFT JOIN sluice_runs AS failure ON failure.run_id = (
                SELECT max(run_id) FROM sluice_runs WHERE job = last.job AND status IN ('failed', 'abandoned'))
            LEFT JOIN sluice_job_counters AS counters ON counters.job = last.job;
            """),
        // Runs record what kind of failure ended them. Datasets load in short transactions now: what a
        // loading or pruned dataset occupies is written down, so a process that dies half-way leaves rows the
        // next run of the job can find and delete (they are invisible to readers all along).
        Migration(name: "error kinds and pending datasets", sql: """
            ALTER TABLE sluice_runs ADD COLUMN error_kind TEXT;
            CREATE TABLE sluice_pending(
                pending_id INTEGER PRIMARY KEY,
                table_name TEXT NOT NULL,
                snapshot_id TEXT NOT NULL,
                purpose TEXT NOT NULL CHECK (purpose IN ('loading', 'purge')),
                job TEXT NOT NULL,
                run_id BIGINT,
                first_rowid BIGINT,
                last_rowid BIGINT,
                rows BIGINT NOT NULL DEFAULT 0
            );
            CREATE INDEX sluice_pending_job ON sluice_pending(job, purpose);
            DROP VIEW sluice_job_health;
            CREATE VIEW sluice_job_health AS
            SELECT last.job AS job,
                   last.status AS last_status,
                   last.started_at AS last_started_at,
                   last.finished_at AS last_finished_at,
                   success.finished_at AS last_success_at,
                   success.rows_written AS last_success_rows,
                   failure.finished_at AS last_failure_at,
                   failure.error AS last_error,
                   failure.error_kind AS last_error_kind,
                   counters.finished_runs AS finished_runs,
                   counters.consecutive_failures AS consecutive_failures
            FROM (SELECT max(run_id) AS run_id FROM sluice_runs GROUP BY job) AS newest
            JOIN sluice_runs AS last ON last.run_id = newest.run_id
            LEFT JOIN sluice_runs AS success ON success.run_id = (
                SELECT max(run_id) FROM sluice_runs WHERE job = last.job AND status IN ('succeeded', 'unchanged'))
            LEFT JOIN sluice_runs AS failure ON failure.run_id = (
                SELECT max(run_id) FROM sluice_runs WHERE job = last.job AND status IN ('failed', 'abandoned'))
            LEFT JOIN sluice_job_counters AS counters ON counters.job = last.job;
            """),
        // Completeness: the coverage ledger (written in the transaction of the page that completes or
        // advances a window), the gaps found in it and the freshness per job and table, both maintained
        // tables with declared types, because the ODBC driver types an expression column by its first value.
        Migration(name: "coverage ledger, gaps and freshness", sql: """
            CREATE TABLE sluice_coverage(
                job TEXT NOT NULL,
                table_name TEXT NOT NULL,
                window_start TIMESTAMP NOT NULL,
                window_end TIMESTAMP NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('complete', 'partial')),
                pages BIGINT NOT NULL,
                rows BIGINT NOT NULL,
                run_id BIGINT NOT NULL,
                updated_at TIMESTAMP NOT NULL,
                suspicious BOOLEAN NOT NULL DEFAULT 0,
                PRIMARY KEY (job, table_name, window_start)
            );
            CREATE TABLE sluice_gaps(
                job TEXT NOT NULL,
                table_name TEXT NOT NULL,
                gap_start TIMESTAMP NOT NULL,
                gap_end TIMESTAMP NOT NULL,
                reason TEXT NOT NULL CHECK (reason IN ('partial', 'missing', 'lost')),
                recoverable_until TIMESTAMP,
                PRIMARY KEY (job, table_name, gap_start)
            );
            CREATE TABLE sluice_freshness(
                job TEXT NOT NULL,
                table_name TEXT NOT NULL,
                last_success_at TIMESTAMP,
                complete_through TIMESTAMP,
                lag_seconds BIGINT,
                stale BOOLEAN NOT NULL,
                gaps BIGINT NOT NULL,
                lost_seconds BIGINT NOT NULL,
                updated_at TIMESTAMP NOT NULL,
                PRIMARY KEY (job, table_name)
            );
            """),
        // Pseudonymised tables: what their pseudonyms were made with (a check value of the key, never the key,
        // and the fields), so a changed key or field list is refused instead of mixing values in one column.
        Migration(name: "pseudonym fingerprints", sql: """
            CREATE TABLE sluice_pseudonyms(
                table_name TEXT PRIMARY KEY,
                key_check TEXT NOT NULL,
                fields TEXT NOT NULL,
                set_by_job TEXT NOT NULL,
                set_at TIMESTAMP NOT NULL
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
