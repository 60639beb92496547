import Foundation
package import SluiceCore
import SluiceSources

/// What `sluice status` shows for one job.
package struct JobStatus: Sendable {
    package var job: String
    /// The job's `tenant:`, nil when it has none.
    package var tenant: String? = nil
    package var source: String
    package var schedule: String
    /// Normalised UTC text of the next fire time, when the schedule has one.
    package var nextRun: String?
    package var lastRun: RunRecord?
    package var consecutiveFailures: Int
    /// When the last `succeeded` or `unchanged` run finished (normalised UTC text).
    package var lastSuccessAt: String?
    /// The job's checkpoint keys (watermarks, last download id): never secrets.
    package var checkpoint: [String: String]
    /// What the coverage ledger proves (nil before the warehouse exists).
    package var completeness: CompletenessReport?
    /// Seconds without a success after which the job is stale (its `max_staleness:` or two schedule intervals).
    package var stalenessBound: Double?

    /// Builds the status of every job from the warehouse (`warehouse` nil: nothing has run yet).
    package static func collect(jobs: [JobDefinition], warehouse: (any Warehouse)?, now: Double) async throws -> [JobStatus] {
        var result: [JobStatus] = []
        for job in jobs {
            var status = JobStatus(job: job.name, source: job.source.typeName, schedule: job.schedule.description,
                                   nextRun: nil, lastRun: nil, consecutiveFailures: 0, lastSuccessAt: nil, checkpoint: [:])
            status.tenant = job.tenant
            var lastFire: Date?
            if let warehouse {
                let runs = try await warehouse.recentRuns(job: job.name, limit: 50)
                status.lastRun = runs.first
                status.consecutiveFailures = RunHistory.consecutiveFailures(runs)
                status.lastSuccessAt = runs.first { $0.status == .succeeded || $0.status == .unchanged }?.finishedAt
                status.checkpoint = try await warehouse.state(job: job.name)
                lastFire = RunHistory.lastCompletedFire(runs).map { Date(timeIntervalSince1970: $0) }
                let policy = CompletenessPolicy(job: job, now: Date(timeIntervalSince1970: now))
                status.stalenessBound = policy.staleAfterSeconds
                status.completeness = try await warehouse.completeness([policy], now: now, write: false).first
            }
            let zone = TimeZones.named(job.timezone) ?? TimeZones.utc
            if let next = job.schedule.nextFire(after: Date(timeIntervalSince1970: now), timeZone: zone, lastFire: lastFire) {
                status.nextRun = Timestamps.format(epochSecond: Int64(next.timeIntervalSince1970))
            }
            result.append(status)
        }
        return result
    }

    /// The completeness lines of the text status: per table what is complete through when, then each gap
    /// (with its deadline and the command that repairs it), lost time and suspicious windows.
    package func completenessLines(now: Double) -> [String] {
        guard let report = completeness else { return [] }
        let nowMillis = EpochMillis.from(seconds: now)
        var lines: [String] = []
        for row in report.freshness {
            var line = "  \(row.table): "
            if let through = row.completeThrough {
                line += "complete through \(CompletenessMonitor.instant(through))"
                if let lag = row.lagSeconds { line += " (lag \(DurationText.format(Double(lag))))" }
            } else {
                line += "nothing proven complete yet"
            }
            let gaps = report.gaps.filter { $0.table == row.table && $0.reason != .lost }
            if !gaps.isEmpty {
                let total = gaps.reduce(0.0) { $0 + $1.seconds }
                line += "; \(gaps.count) gap\(gaps.count == 1 ? "" : "s"), \(DurationText.format(total)) in all"
                if let deadline = gaps.filter({ $0.isRecoverable(now: nowMillis) }).compactMap(\.recoverableUntil).min() {
                    line += ", nearest deadline \(CompletenessMonitor.instant(deadline))"
                }
            }
            if row.lostSeconds > 0 { line += "; \(DurationText.format(Double(row.lostSeconds))) lost" }
            if row.stale { line += "; STALE (no success within \(DurationText.format(stalenessBound ?? 0)))" }
            lines.append(line)
        }
        for gap in report.gaps where gap.reason != .lost {
            let fix = gap.isRecoverable(now: nowMillis) ? ": sluice backfill \(job) --gaps" : ""
            lines.append("    \(CompletenessMonitor.describe(gap, now: nowMillis))\(fix)")
        }
        for gap in report.gaps where gap.reason == .lost {
            lines.append("    lost: \(gap.table) from \(CompletenessMonitor.instant(gap.start)) to \(CompletenessMonitor.instant(gap.end)) "
                         + "(the API no longer serves it)")
        }
        for window in report.suspicious {
            lines.append("    suspicious: \(CompletenessMonitor.describe(window)) served \(window.rows) row\(window.rows == 1 ? "" : "s")")
        }
        return lines
    }

    /// The completeness of the job as JSON (`completeness` in `sluice status --json`).
    var completenessJSON: JSONValue {
        guard let report = completeness else { return .null }
        let instant: (Int64?) -> JSONValue = { $0.map { .string(CompletenessMonitor.instant($0)) } ?? .null }
        let tables: [JSONValue] = report.freshness.map { row in
            let gaps = report.gaps.filter { $0.table == row.table && $0.reason != .lost }
            return .object([
                ("table", .string(row.table)), ("complete_through", instant(row.completeThrough)),
                ("lag_seconds", row.lagSeconds.map(JSONValue.integer) ?? .null), ("stale", .bool(row.stale)),
                ("gaps", .integer(Int64(gaps.count))),
                ("gap_seconds", .integer(Int64(gaps.reduce(0.0) { $0 + $1.seconds }))),
                ("nearest_deadline", instant(gaps.compactMap(\.recoverableUntil).min())),
                ("lost_seconds", .integer(row.lostSeconds)),
            ])
        }
        let gaps: [JSONValue] = report.gaps.map { gap in
            .object([("table", .string(gap.table)), ("gap_start", instant(gap.start)), ("gap_end", instant(gap.end)),
                     ("reason", .string(gap.reason.rawValue)), ("recoverable_until", instant(gap.recoverableUntil))])
        }
        let suspicious: [JSONValue] = report.suspicious.map { window in
            .object([("table", .string(window.table)), ("window_start", instant(window.start)),
                     ("window_end", instant(window.end)), ("rows", .integer(Int64(window.rows)))])
        }
        return .object([("tables", .array(tables)), ("gaps", .array(gaps)), ("suspicious", .array(suspicious))])
    }

    /// The status as a JSON object (for `sluice status --json`).
    package var json: JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("job", .string(job)), ("source", .string(source)), ("schedule", .string(schedule)),
            ("tenant", tenant.map(JSONValue.string) ?? .null),
            ("next_run", nextRun.map(JSONValue.string) ?? .null),
            ("consecutive_failures", .integer(Int64(consecutiveFailures))),
            ("last_success_at", lastSuccessAt.map(JSONValue.string) ?? .null),
            ("checkpoint", .object(checkpoint.keys.sorted().map { ($0, .string(checkpoint[$0]!)) })),
            ("completeness", completenessJSON),
        ]
        if let run = lastRun {
            pairs.append(("last_run", .object([
                ("run_id", .integer(run.runID)), ("trigger", .string(run.trigger.rawValue)),
                ("status", .string(run.status.rawValue)), ("started_at", .string(run.startedAt)),
                ("finished_at", run.finishedAt.map(JSONValue.string) ?? .null),
                ("duration_seconds", run.durationSeconds.map(JSONValue.double) ?? .null),
                ("rows_written", .integer(Int64(run.rowsWritten))), ("requests", .integer(Int64(run.requests))),
                ("bytes_read", .integer(Int64(run.bytesRead))), ("error", run.error.map(JSONValue.string) ?? .null),
            ])))
        } else {
            pairs.append(("last_run", .null))
        }
        return .object(pairs)
    }
}

extension RunRecord {
    /// Seconds between start and finish, when finished.
    package var durationSeconds: Double? {
        guard let finishedAt, let f = Timestamps.epochSeconds(finishedAt), let s = Timestamps.epochSeconds(startedAt) else {
            return nil
        }
        return f - s
    }
}
