import PostgresNIO
package import SluiceCore

/// The run ledger, checkpoints and catalog as `sluice status`, the daemon and the sources read them.
extension PostgresWarehouse {
    /// The columns a ``RunRecord`` is read from; timestamps as epoch seconds, formatted like the SQLite file's text.
    private static let runColumns = """
        run_id, job, "trigger", extract(epoch FROM started_at)::float8, extract(epoch FROM finished_at)::float8, status,
        rows_written, requests, bytes_read, error, error_kind
        """

    /// The checkpoint keys of `job` (keys whose value is NULL are left out).
    package func state(job: String) async throws -> [String: String] {
        try await work(step: "read state", job: job) { session in
            let rows = try await session.rows("SELECT key, value FROM sluice_state WHERE job = $1 AND value IS NOT NULL",
                                              [.text(job)])
            var state: [String: String] = [:]
            for row in rows { state[try row.text(0) ?? ""] = try row.text(1) ?? "" }
            return state
        }
    }

    /// Upserts state keys of `job` in their own transaction (for sources that advance without rows).
    package func setState(job: String, values: [String: String]) async throws {
        guard !values.isEmpty else { return }
        try await work(step: "write state", job: job) { session in
            try await session.transaction { try await writeState(job: job, values: values, session: session) }
        }
    }

    /// Upserts `values` into `job`'s state inside the caller's transaction on `session`.
    func writeState(job: String, values: [String: String], session: PostgresSession) async throws {
        let now = timestamp
        // Sorted so the write order (and any error) is the same on every run.
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            try await session.execute("""
                INSERT INTO sluice_state(job, key, value, updated_at) VALUES ($1, $2, $3, $4::timestamptz)
                ON CONFLICT (job, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                """, [.text(job), .text(key), .text(value), .text(now)])
        }
    }

    /// The newest `limit` runs of `job`, newest first.
    package func recentRuns(job: String, limit: Int = 10) async throws -> [RunRecord] {
        try await work(step: "read runs", job: job) { session in
            try await session.rows("SELECT \(Self.runColumns) FROM sluice_runs WHERE job = $1 ORDER BY run_id DESC LIMIT $2",
                                   [.text(job), .integer(Int64(limit))]).map(Self.runRecord)
        }
    }

    /// The newest run of `job`, or its newest run with `status` (e.g. the last success).
    package func lastRun(job: String, status: RunStatus? = nil) async throws -> RunRecord? {
        try await work(step: "read runs", job: job) { session in
            try await session.rows("""
                SELECT \(Self.runColumns) FROM sluice_runs WHERE job = $1 AND ($2::text IS NULL OR status = $2)
                ORDER BY run_id DESC LIMIT 1
                """, [.text(job), status.map { .text($0.rawValue) } ?? .null]).map(Self.runRecord).first
        }
    }

    /// The newest run of every job, by job name.
    package func lastRuns() async throws -> [RunRecord] {
        try await work(step: "read runs") { session in
            try await session.rows("""
                SELECT \(Self.runColumns) FROM sluice_runs
                WHERE run_id IN (SELECT max(run_id) FROM sluice_runs GROUP BY job) ORDER BY job
                """).map(Self.runRecord)
        }
    }

    /// Names of the jobs that have at least one run, sorted.
    package func jobsWithRuns() async throws -> [String] {
        try await work(step: "read runs") { session in
            try await session.rows("SELECT DISTINCT job FROM sluice_runs ORDER BY job").map { try $0.text(0) ?? "" }
        }
    }

    /// Declared types of the columns the warehouse already has, by table and source name.
    package func knownColumns() async throws -> [String: [String: ColumnType]] {
        try await work(step: "read column catalog") { session in
            var known: [String: [String: ColumnType]] = [:]
            for row in try await session.rows("SELECT table_name, source_name, declared_type FROM sluice_columns") {
                known[try row.text(0) ?? "", default: [:]][try row.text(1) ?? ""] =
                    ColumnType(rawValue: try row.text(2) ?? "") ?? .text
            }
            return known
        }
    }

    /// Every data table readers query (plain tables, and the views of snapshot tables) with its row count, sorted.
    package func dataTableRowCounts() async throws -> [(table: String, rows: Int)] {
        try await work(step: "count rows") { session in
            let names = try await session.rows("""
                SELECT c.relname::text, c.relkind::text FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
                WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v') ORDER BY c.relname
                """, [.text(schema)]).map { (try $0.text(0) ?? "", try $0.text(1) ?? "") }
            let all = Set(names.map(\.0))
            let tables = names.filter { name, kind in
                if name.hasPrefix("sluice_") { return false }
                return kind == "r" || (kind == "v" && all.contains(PostgresIdentifier.rowsTable(name)))
            }.map(\.0)
            var counts: [(table: String, rows: Int)] = []
            for table in tables {
                let rows = try await session.rows("SELECT count(*) FROM \(qualified(table))")
                counts.append((table, Int(try rows.first?.int64(0) ?? 0)))
            }
            return counts
        }
    }

    private static func runRecord(_ row: PostgresRow) throws -> RunRecord {
        RunRecord(runID: try row.int64(0) ?? 0, job: try row.text(1) ?? "",
                  trigger: RunTrigger(rawValue: try row.text(2) ?? "") ?? .manual,
                  startedAt: try row.double(3).map(Timestamps.format(epochSeconds:)) ?? "",
                  finishedAt: try row.double(4).map(Timestamps.format(epochSeconds:)),
                  status: RunStatus(rawValue: try row.text(5) ?? "") ?? .failed,
                  rowsWritten: try row.int64(6) ?? 0, requests: try row.int64(7) ?? 0, bytesRead: try row.int64(8) ?? 0,
                  error: try row.text(9), errorKind: try row.text(10).flatMap(SluiceError.Kind.init(rawValue:)))
    }
}
