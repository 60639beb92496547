import Foundation
import SluiceCore
import Testing
@testable import SluiceDaemon

/// When `sluice status` says a job needs attention (and exits 1): its last run failed, or it is stale.
@Suite("job attention")
struct JobAttentionTests {
    static let hourly = JobDefinition(
        name: "feed", file: "jobs/feed.yaml", schedule: .every(seconds: 3600), target: TargetSettings(),
        source: .cursorFeed(CursorFeedSettings(baseURL: "https://x.example/v1", dataset: "d", token: nil)))

    static func status(last: RunStatus?, lastSuccessAt: String?) -> JobStatus {
        let run = last.map {
            RunRecord(runID: 1, job: "feed", trigger: .schedule, startedAt: "2026-03-01 12:00:00",
                      finishedAt: "2026-03-01 12:00:05", status: $0, rowsWritten: 0, requests: 1, bytesRead: 0, error: nil)
        }
        return JobStatus(job: "feed", source: "cursor-feed", schedule: "every 1h", nextRun: nil, lastRun: run,
                         consecutiveFailures: 0, lastSuccessAt: lastSuccessAt, checkpoint: [:])
    }

    static func at(_ text: String) -> Double { Timestamps.epochSeconds(text)! }

    @Test func aFailedLastRunNeedsAttention() {
        let status = Self.status(last: .failed, lastSuccessAt: "2026-03-01 11:00:05")
        #expect(JobAttention.of(Self.hourly, status: status, now: Self.at("2026-03-01 12:01:00")) == .lastRunFailed)
    }

    @Test func aJobIsStaleOnlyOnceAWholeIntervalPassedAfterAMissedRun() {
        let status = Self.status(last: .succeeded, lastSuccessAt: "2026-03-01 12:00:05")
        // Due at 13:00:05; still fine at 13:30 (the daemon may be busy) and at 14:00.
        #expect(JobAttention.of(Self.hourly, status: status, now: Self.at("2026-03-01 13:30:00")) == nil)
        #expect(JobAttention.of(Self.hourly, status: status, now: Self.at("2026-03-01 14:00:00")) == nil)
        #expect(JobAttention.of(Self.hourly, status: status, now: Self.at("2026-03-01 14:00:06"))
                == .stale(lastSuccess: "2026-03-01 12:00:05", due: "2026-03-01 13:00:05"))
    }

    @Test func aJobThatNeverRanOrWasCancelledIsNotFlagged() {
        #expect(JobAttention.of(Self.hourly, status: Self.status(last: nil, lastSuccessAt: nil),
                                now: Self.at("2026-03-09 00:00:00")) == nil)
        #expect(JobAttention.of(Self.hourly, status: Self.status(last: .cancelled, lastSuccessAt: "2026-03-01 12:00:05"),
                                now: Self.at("2026-03-01 12:30:00")) == nil)
    }
}
