import Foundation
import SluiceCore

/// What `sluice status` shows for one job.
public struct JobStatus: Sendable {
    public var job: String
    public var source: String
    public var schedule: String
    /// Normalised UTC text of the next fire time, when the schedule has one.
    public var nextRun: String?
    public var lastRun: RunRecord?
    public var consecutiveFailures: Int
    /// When the last `succeeded` or `unchanged` run finished (normalised UTC text).
    public var lastSuccessAt: String?
    /// The job's checkpoint keys (watermarks, last download id): never secrets.
    public var checkpoint: [String: String]

    /// Builds the status of every job from the warehouse (`warehouse` nil: nothing has run yet).
    public static func collect(jobs: [JobDefinition], warehouse: (any Warehouse)?, now: Double) async throws -> [JobStatus] {
        var result: [JobStatus] = []
        for job in jobs {
            var status = JobStatus(job: job.name, source: job.source.typeName, schedule: job.schedule.description,
                                   nextRun: nil, lastRun: nil, consecutiveFailures: 0, lastSuccessAt: nil, checkpoint: [:])
            var lastFire: Date?
            if let warehouse {
                let runs = try await warehouse.recentRuns(job: job.name, limit: 50)
                status.lastRun = runs.first
                status.consecutiveFailures = RunHistory.consecutiveFailures(runs)
                status.lastSuccessAt = runs.first { $0.status == .succeeded || $0.status == .unchanged }?.finishedAt
                status.checkpoint = try await warehouse.state(job: job.name)
                lastFire = RunHistory.lastCompletedFire(runs).map { Date(timeIntervalSince1970: $0) }
            }
            let zone = TimeZones.named(job.timezone) ?? TimeZones.utc
            if let next = job.schedule.nextFire(after: Date(timeIntervalSince1970: now), timeZone: zone, lastFire: lastFire) {
                status.nextRun = Timestamps.format(epochSecond: Int64(next.timeIntervalSince1970))
            }
            result.append(status)
        }
        return result
    }

    /// The status as a JSON object (for `sluice status --json`).
    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("job", .string(job)), ("source", .string(source)), ("schedule", .string(schedule)),
            ("next_run", nextRun.map(JSONValue.string) ?? .null),
            ("consecutive_failures", .integer(Int64(consecutiveFailures))),
            ("last_success_at", lastSuccessAt.map(JSONValue.string) ?? .null),
            ("checkpoint", .object(checkpoint.keys.sorted().map { ($0, .string(checkpoint[$0]!)) })),
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
    public var durationSeconds: Double? {
        guard let finishedAt, let f = Timestamps.epochSeconds(finishedAt), let s = Timestamps.epochSeconds(startedAt) else {
            return nil
        }
        return f - s
    }
}
