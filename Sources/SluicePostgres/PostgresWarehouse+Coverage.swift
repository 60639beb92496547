import PostgresNIO
package import SluiceCore
import Foundation

/// The coverage ledger (`sluice_coverage`) and what is kept from it (`sluice_gaps`, `sluice_freshness`), as in the
/// SQLite file: the decisions are ``CoverageLedger``'s, ``CoverageGaps``' and ``Completeness``'; this file only
/// stores them. Window bounds are `TIMESTAMPTZ`, read back as whole milliseconds.
extension PostgresWarehouse {
    private static let coverageColumns = """
        job, table_name, (extract(epoch FROM window_start) * 1000)::bigint, (extract(epoch FROM window_end) * 1000)::bigint,
        status, pages, rows, run_id, (extract(epoch FROM updated_at) * 1000)::bigint, suspicious
        """

    /// Applies `mark` to the ledger inside the caller's transaction on `session` (the one committing the batch),
    /// and keeps the job and table's gaps current when the window was opened, completed or joined.
    func writeCoverage(_ mark: CoverageMark, job: String, runID: Int64, session: PostgresSession) async throws {
        let nowMillis = EpochMillis.from(seconds: now())
        let day = EpochMillis.dayStart(mark.start)
        let low = min(day, mark.start), high = max(day + EpochMillis.day, mark.end)
        let existing = try await session.rows("""
            SELECT \(Self.coverageColumns) FROM sluice_coverage
            WHERE job = $1 AND table_name = $2 AND window_end >= $3::timestamptz AND window_start <= $4::timestamptz
            """, [.text(job), .text(mark.table), Self.instant(low), Self.instant(high)]).map(Self.coverageRow)
        var history: [CoverageRow] = []
        if mark.status == .complete {
            history = try await session.rows("""
                SELECT \(Self.coverageColumns) FROM sluice_coverage
                WHERE job = $1 AND table_name = $2 AND status = 'complete' AND window_start < $3::timestamptz
                ORDER BY window_start DESC LIMIT $4
                """, [.text(job), .text(mark.table), Self.instant(mark.start),
                      .integer(Int64(SuspiciousVolume.historyCount + 8))]).map(Self.coverageRow)
        }
        let change = CoverageLedger.apply(mark, job: job, runID: runID, now: nowMillis, existing: existing, history: history)
        guard !change.upserts.isEmpty || !change.deletes.isEmpty else { return }
        for start in change.deletes {
            try await session.execute("DELETE FROM sluice_coverage WHERE job = $1 AND table_name = $2 AND window_start = $3::timestamptz",
                                      [.text(job), .text(mark.table), Self.instant(start)])
        }
        for row in change.upserts {
            try await session.execute("""
                INSERT INTO sluice_coverage(job, table_name, window_start, window_end, status, pages, rows, run_id,
                    updated_at, suspicious)
                VALUES ($1, $2, $3::timestamptz, $4::timestamptz, $5, $6, $7, $8, $9::timestamptz, $10)
                ON CONFLICT (job, table_name, window_start) DO UPDATE SET window_end = excluded.window_end,
                    status = excluded.status, pages = excluded.pages, rows = excluded.rows, run_id = excluded.run_id,
                    updated_at = excluded.updated_at, suspicious = excluded.suspicious
                """, [.text(row.job), .text(row.table), Self.instant(row.start), Self.instant(row.end),
                      .text(row.status.rawValue), .integer(Int64(row.pages)), .integer(Int64(row.rows)),
                      .integer(row.runID), Self.instant(row.updatedAt), .bool(row.suspicious)])
        }
        let before = existing.first { $0.start == mark.start }
        let reshaped = !change.deletes.isEmpty || before == nil || before?.status != mark.status || before?.end != mark.end
        guard reshaped else { return }
        let rows = try await coverage(job: job, table: mark.table, session: session)
        let gaps = CoverageGaps.find(rows, recoverableFor: mark.recoverableFor, now: nowMillis, inProgress: [runID])
        try await session.execute("DELETE FROM sluice_gaps WHERE job = $1 AND table_name = $2", [.text(job), .text(mark.table)])
        try await insertGaps(gaps, session: session)
    }

    /// The coverage ledger of `job`, by table, oldest window first.
    package func coverage(job: String) async throws -> [CoverageRow] {
        try await work(step: "read coverage", job: job) { try await coverage(job: job, table: nil, session: $0) }
    }

    /// The completeness of each policy's job from its ledger and run history; with `write`, also kept in
    /// `sluice_gaps` and `sluice_freshness` (one transaction per job).
    package func completeness(_ policies: [CompletenessPolicy], now seconds: Double, write: Bool) async throws
        -> [CompletenessReport] {
        try await work(step: write ? "update gaps and freshness" : "read completeness") { session in
            var reports: [CompletenessReport] = []
            for policy in policies {
                let rows = try await coverage(job: policy.job, table: nil, session: session)
                let history = try await session.rows("""
                    SELECT extract(epoch FROM max(finished_at) FILTER (WHERE status IN ('succeeded', 'unchanged')))::float8,
                           extract(epoch FROM min(started_at))::float8,
                           coalesce(array_agg(run_id) FILTER (WHERE status = 'running'), '{}')::text
                    FROM sluice_runs WHERE job = $1
                    """, [.text(policy.job)]).first
                let running = Set((try history?.text(2) ?? "{}").trimmingCharacters(in: ["{", "}"])
                    .split(separator: ",").compactMap { Int64($0) })
                let report = Completeness.evaluate(policy, rows: rows, lastSuccessAt: try history?.double(0),
                                                   firstRunStart: try history?.double(1), inProgress: running, now: seconds)
                if write { try await keep(report, job: policy.job, session: session) }
                reports.append(report)
            }
            return reports
        }
    }

    private func keep(_ report: CompletenessReport, job: String, session: PostgresSession) async throws {
        try await session.transaction {
            try await session.execute("DELETE FROM sluice_gaps WHERE job = $1", [.text(job)])
            try await insertGaps(report.gaps, session: session)
            try await session.execute("DELETE FROM sluice_freshness WHERE job = $1", [.text(job)])
            for row in report.freshness {
                try await session.execute("""
                    INSERT INTO sluice_freshness(job, table_name, last_success_at, complete_through, lag_seconds, stale,
                        gaps, lost_seconds, updated_at)
                    VALUES ($1, $2, $3::timestamptz, $4::timestamptz, $5, $6, $7, $8, $9::timestamptz)
                    """, [.text(row.job), .text(row.table), row.lastSuccessAt.map(Self.instant) ?? .null,
                          row.completeThrough.map(Self.instant) ?? .null, row.lagSeconds.map(Value.integer) ?? .null,
                          .bool(row.stale), .integer(Int64(row.gaps)), .integer(row.lostSeconds), .text(timestamp)])
            }
        }
    }

    private func coverage(job: String, table: String?, session: PostgresSession) async throws -> [CoverageRow] {
        guard try await session.rows("SELECT to_regclass('sluice_coverage') IS NOT NULL").first?.bool(0) == true else {
            return []
        }
        return try await session.rows("""
            SELECT \(Self.coverageColumns) FROM sluice_coverage
            WHERE job = $1 AND ($2::text IS NULL OR table_name = $2) ORDER BY table_name, window_start
            """, [.text(job), table.map(Value.text) ?? .null]).map(Self.coverageRow)
    }

    private func insertGaps(_ gaps: [CoverageGap], session: PostgresSession) async throws {
        for gap in gaps {
            try await session.execute("""
                INSERT INTO sluice_gaps(job, table_name, gap_start, gap_end, reason, recoverable_until)
                VALUES ($1, $2, $3::timestamptz, $4::timestamptz, $5, $6::timestamptz)
                """, [.text(gap.job), .text(gap.table), Self.instant(gap.start), Self.instant(gap.end),
                      .text(gap.reason.rawValue), gap.recoverableUntil.map(Self.instant) ?? .null])
        }
    }

    /// Milliseconds since the epoch as UTC timestamp text (the session's time zone is UTC).
    private static func instant(_ millis: Int64) -> Value { .text(EpochMillis.text(millis)) }

    private static func coverageRow(_ row: PostgresRow) throws -> CoverageRow {
        CoverageRow(job: try row.text(0) ?? "", table: try row.text(1) ?? "", start: try row.int64(2) ?? 0,
                    end: try row.int64(3) ?? 0, status: CoverageStatus(rawValue: try row.text(4) ?? "") ?? .partial,
                    pages: Int(try row.int64(5) ?? 0), rows: Int(try row.int64(6) ?? 0), runID: try row.int64(7) ?? 0,
                    updatedAt: try row.int64(8) ?? 0, suspicious: try row.bool(9) ?? false)
    }
}
