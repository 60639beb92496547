import SluiceCore

/// The coverage ledger (`sluice_coverage`) and what is kept from it (`sluice_gaps`, `sluice_freshness`).
/// The decisions are ``CoverageLedger``'s, ``CoverageGaps``' and ``Completeness``'; this file only stores them.
extension WarehouseStore {
    private static let coverageColumns =
        "job, table_name, window_start, window_end, status, pages, rows, run_id, updated_at, suspicious"

    /// Applies `mark` to the ledger inside the caller's transaction (the one committing the batch), and keeps
    /// the job and table's gaps current when the window was opened, completed or joined.
    func writeCoverage(_ mark: CoverageMark, job: String, runID: Int64) throws {
        let nowMillis = EpochMillis.from(seconds: now())
        let day = EpochMillis.dayStart(mark.start)
        let low = min(day, mark.start)
        let high = max(day + EpochMillis.day, mark.end)
        let existing = try systemStatement("""
            SELECT \(Self.coverageColumns) FROM sluice_coverage
            WHERE job = ?1 AND table_name = ?2 AND window_end >= ?3 AND window_start <= ?4
            """).query([.text(job), .text(mark.table), .text(EpochMillis.text(low)), .text(EpochMillis.text(high))],
                       row: Self.coverageRow)
        var history: [CoverageRow] = []
        if mark.status == .complete {
            history = try systemStatement("""
                SELECT \(Self.coverageColumns) FROM sluice_coverage
                WHERE job = ?1 AND table_name = ?2 AND status = 'complete' AND window_start < ?3
                ORDER BY window_start DESC LIMIT ?4
                """).query([.text(job), .text(mark.table), .text(EpochMillis.text(mark.start)),
                            .integer(Int64(SuspiciousVolume.historyCount + 8))], row: Self.coverageRow)
        }
        let change = CoverageLedger.apply(mark, job: job, runID: runID, now: nowMillis, existing: existing,
                                          history: history)
        guard !change.upserts.isEmpty || !change.deletes.isEmpty else { return }
        let delete = try systemStatement("DELETE FROM sluice_coverage WHERE job = ?1 AND table_name = ?2 AND window_start = ?3")
        for start in change.deletes {
            try delete.run([.text(job), .text(mark.table), .text(EpochMillis.text(start))])
        }
        let upsert = try systemStatement("""
            INSERT INTO sluice_coverage(\(Self.coverageColumns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
            ON CONFLICT (job, table_name, window_start) DO UPDATE SET window_end = excluded.window_end,
                status = excluded.status, pages = excluded.pages, rows = excluded.rows, run_id = excluded.run_id,
                updated_at = excluded.updated_at, suspicious = excluded.suspicious
            """)
        for row in change.upserts {
            try upsert.run(Self.values(row))
        }
        let before = existing.first { $0.start == mark.start }
        let reshaped = !change.deletes.isEmpty || before == nil || before?.status != mark.status || before?.end != mark.end
        if reshaped {
            let rows = try coverage(job: job, table: mark.table)
            let gaps = CoverageGaps.find(rows, recoverableFor: mark.recoverableFor, now: nowMillis, inProgress: [runID])
            try replaceGaps(job: job, table: mark.table, with: gaps)
        }
    }

    /// The ledger of `job` (one table, or all), oldest window first.
    func coverage(job: String, table: String? = nil) throws -> [CoverageRow] {
        guard try hasTable("sluice_coverage") else { return [] }
        return try systemStatement("""
            SELECT \(Self.coverageColumns) FROM sluice_coverage
            WHERE job = ?1 AND (?2 IS NULL OR table_name = ?2) ORDER BY table_name, window_start
            """).query([.text(job), table.map(Value.text) ?? .null], row: Self.coverageRow)
    }

    /// Computes the completeness of each policy's job from its ledger and run history and, when `write`, keeps
    /// `sluice_gaps` and `sluice_freshness` in step (one transaction per job).
    func completeness(_ policies: [CompletenessPolicy], now seconds: Double, write: Bool) throws -> [CompletenessReport] {
        var reports: [CompletenessReport] = []
        for policy in policies {
            let rows = try coverage(job: policy.job)
            let history = try runHistory(job: policy.job)
            let report = Completeness.evaluate(policy, rows: rows, lastSuccessAt: history.lastSuccess,
                                               firstRunStart: history.firstStart, inProgress: history.running,
                                               now: seconds)
            if write {
                try transaction {
                    try systemStatement("DELETE FROM sluice_gaps WHERE job = ?1").run([.text(policy.job)])
                    try insertGaps(report.gaps)
                    try systemStatement("DELETE FROM sluice_freshness WHERE job = ?1").run([.text(policy.job)])
                    let insert = try systemStatement("""
                        INSERT INTO sluice_freshness(job, table_name, last_success_at, complete_through, lag_seconds,
                            stale, gaps, lost_seconds, updated_at)
                        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                        """)
                    for row in report.freshness {
                        try insert.run([
                            .text(row.job), .text(row.table), row.lastSuccessAt.map { .text(EpochMillis.text($0)) } ?? .null,
                            row.completeThrough.map { .text(EpochMillis.text($0)) } ?? .null,
                            row.lagSeconds.map(Value.integer) ?? .null, .integer(row.stale ? 1 : 0),
                            .integer(Int64(row.gaps)), .integer(row.lostSeconds), .text(timestamp),
                        ])
                    }
                }
            }
            reports.append(report)
        }
        return reports
    }

    private func replaceGaps(job: String, table: String, with gaps: [CoverageGap]) throws {
        try systemStatement("DELETE FROM sluice_gaps WHERE job = ?1 AND table_name = ?2").run([.text(job), .text(table)])
        try insertGaps(gaps)
    }

    private func insertGaps(_ gaps: [CoverageGap]) throws {
        let insert = try systemStatement("""
            INSERT INTO sluice_gaps(job, table_name, gap_start, gap_end, reason, recoverable_until)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            """)
        for gap in gaps {
            try insert.run([.text(gap.job), .text(gap.table), .text(EpochMillis.text(gap.start)),
                            .text(EpochMillis.text(gap.end)), .text(gap.reason.rawValue),
                            gap.recoverableUntil.map { .text(EpochMillis.text($0)) } ?? .null])
        }
    }

    /// What freshness needs from `sluice_runs`: the last success, the first start and the runs still running.
    private func runHistory(job: String) throws -> (lastSuccess: Double?, firstStart: Double?, running: Set<Int64>) {
        let lastSuccess = try systemStatement("""
            SELECT max(finished_at) FROM sluice_runs WHERE job = ?1 AND status IN ('succeeded', 'unchanged')
            """).query([.text(job)]) { $0.text(0) }.first.flatMap { $0 }.flatMap(Timestamps.epochSeconds)
        let firstStart = try systemStatement("SELECT min(started_at) FROM sluice_runs WHERE job = ?1")
            .query([.text(job)]) { $0.text(0) }.first.flatMap { $0 }.flatMap(Timestamps.epochSeconds)
        let running = try systemStatement("SELECT run_id FROM sluice_runs WHERE job = ?1 AND status = 'running'")
            .query([.text(job)]) { $0.int64(0) }
        return (lastSuccess, firstStart, Set(running))
    }

    /// Whether the file has `table` (a warehouse of an older Sluice opened read-only may not).
    func hasTable(_ table: String) throws -> Bool {
        try systemStatement("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1")
            .query([.text(table)]) { $0.int64(0) }.first ?? 0 > 0
    }

    private static func coverageRow(_ row: SQLiteStatement) -> CoverageRow {
        CoverageRow(job: row.text(0) ?? "", table: row.text(1) ?? "",
                    start: row.text(2).flatMap(EpochMillis.parse) ?? 0, end: row.text(3).flatMap(EpochMillis.parse) ?? 0,
                    status: CoverageStatus(rawValue: row.text(4) ?? "") ?? .partial, pages: Int(row.int64(5)),
                    rows: Int(row.int64(6)), runID: row.int64(7), updatedAt: row.text(8).flatMap(EpochMillis.parse) ?? 0,
                    suspicious: row.int64(9) != 0)
    }

    private static func values(_ row: CoverageRow) -> [Value] {
        [.text(row.job), .text(row.table), .text(EpochMillis.text(row.start)), .text(EpochMillis.text(row.end)),
         .text(row.status.rawValue), .integer(Int64(row.pages)), .integer(Int64(row.rows)), .integer(row.runID),
         .text(EpochMillis.text(row.updatedAt)), .integer(row.suspicious ? 1 : 0)]
    }
}
