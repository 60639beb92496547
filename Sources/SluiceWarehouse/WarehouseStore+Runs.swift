import SluiceCore

extension WarehouseStore {
    /// The columns a ``RunRecord`` is read from. A file of an older Sluice, opened read-only by `status`, has
    /// no `error_kind` yet: NULL stands in for it.
    private var runColumns: String {
        get throws {
            let hasKind = try db.prepare("SELECT count(*) FROM pragma_table_info('sluice_runs') WHERE name = 'error_kind'")
                .query { $0.int64(0) }.first ?? 0
            return "run_id, job, \"trigger\", started_at, finished_at, status, rows_written, requests, bytes_read, error, "
                + (hasKind > 0 ? "error_kind" : "NULL")
        }
    }

    // MARK: Runs

    /// Inserts a `running` row and returns its id.
    func beginRun(job: String, trigger: RunTrigger) throws -> Int64 {
        try transaction {
            try systemStatement("""
                INSERT INTO sluice_runs(job, "trigger", started_at, status) VALUES (?1, ?2, ?3, 'running')
                """).run([.text(job), .text(trigger.rawValue), .text(timestamp)])
            return db.lastInsertRowID
        }
    }

    /// Records how a run ended.
    func finishRun(_ end: RunEnd) throws {
        try transaction {
            try systemStatement("""
                UPDATE sluice_runs SET finished_at = ?2, status = ?3, rows_written = ?4, requests = ?5,
                    bytes_read = ?6, error = ?7, error_kind = ?8
                WHERE run_id = ?1
                """).run([.integer(end.runID), .text(timestamp), .text(end.status.rawValue), .integer(end.rowsWritten),
                          .integer(end.requests), .integer(end.bytesRead), end.error.map(Value.text) ?? .null,
                          end.errorKind.map { .text($0.rawValue) } ?? .null])
        }
    }

    /// The job run `id` belongs to.
    func job(ofRun id: Int64) throws -> String? {
        try systemStatement("SELECT job FROM sluice_runs WHERE run_id = ?1").query([.integer(id)]) { $0.text(0) }.first ?? nil
    }

    /// Marks every `running` run (of `job`, or of every job) as `abandoned`; returns how many.
    func markAbandonedRuns(job: String?) throws -> Int {
        try transaction {
            try systemStatement("""
                UPDATE sluice_runs SET status = 'abandoned', finished_at = ?1
                WHERE status = 'running' AND (?2 IS NULL OR job = ?2)
                """).run([.text(timestamp), job.map(Value.text) ?? .null])
            return db.changes
        }
    }

    /// The newest runs of `job`, newest first.
    func recentRuns(job: String, limit: Int) throws -> [RunRecord] {
        try systemStatement("""
            SELECT \(try runColumns) FROM sluice_runs WHERE job = ?1 ORDER BY run_id DESC LIMIT ?2
            """).query([.text(job), .integer(Int64(limit))], row: Self.runRecord)
    }

    /// The newest run of `job` (with `status`, when given).
    func lastRun(job: String, status: RunStatus?) throws -> RunRecord? {
        guard let status else { return try recentRuns(job: job, limit: 1).first }
        return try systemStatement("""
            SELECT \(try runColumns) FROM sluice_runs WHERE job = ?1 AND status = ?2
            ORDER BY run_id DESC LIMIT 1
            """).query([.text(job), .text(status.rawValue)], row: Self.runRecord).first
    }

    /// The newest run of every job that has one, ordered by job name.
    func lastRuns() throws -> [RunRecord] {
        try systemStatement("""
            SELECT \(try runColumns) FROM sluice_runs
            WHERE run_id IN (SELECT max(run_id) FROM sluice_runs GROUP BY job) ORDER BY job
            """).query(row: Self.runRecord)
    }

    /// Names of all jobs with at least one run, sorted.
    func jobsWithRuns() throws -> [String] {
        try systemStatement("SELECT DISTINCT job FROM sluice_runs ORDER BY job").query { $0.text(0) ?? "" }
    }

    private static func runRecord(_ row: SQLiteStatement) -> RunRecord {
        RunRecord(runID: row.int64(0), job: row.text(1) ?? "",
                  trigger: RunTrigger(rawValue: row.text(2) ?? "") ?? .manual,
                  startedAt: row.text(3) ?? "", finishedAt: row.text(4),
                  status: RunStatus(rawValue: row.text(5) ?? "") ?? .failed,
                  rowsWritten: row.int64(6), requests: row.int64(7), bytesRead: row.int64(8), error: row.text(9),
                  errorKind: row.text(10).flatMap(SluiceError.Kind.init(rawValue:)))
    }

    // MARK: State

    /// Every state key of `job` (keys whose value is NULL are left out).
    func state(job: String) throws -> [String: String] {
        let rows = try systemStatement("SELECT key, value FROM sluice_state WHERE job = ?1 AND value IS NOT NULL")
            .query([.text(job)]) { ($0.text(0) ?? "", $0.text(1) ?? "") }
        return Dictionary(rows, uniquingKeysWith: { _, last in last })
    }

    /// Upserts `values` into `job`'s state in its own transaction.
    func setState(job: String, values: [String: String]) throws {
        guard !values.isEmpty else { return }
        try transaction { try writeState(job: job, values: values) }
    }

    /// Upserts `values` into `job`'s state inside the caller's transaction.
    func writeState(job: String, values: [String: String]) throws {
        guard !values.isEmpty else { return }
        let stmt = try systemStatement("""
            INSERT INTO sluice_state(job, key, value, updated_at) VALUES (?1, ?2, ?3, ?4)
            ON CONFLICT (job, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            """)
        let now = timestamp
        // Sorted so the write order (and any error) is the same on every run.
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            try stmt.run([.text(job), .text(key), .text(value), .text(now)])
        }
    }
}
