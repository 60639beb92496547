import Foundation
import Glibc
import SluiceEmulators
import SluiceTestSupport
import Testing

/// The run engine's promise: no transaction is held open across a network read, so a slow download of one job
/// never holds up another job's pages, commits or run.
@Suite("no job waits on another", .serialized)
struct NoJobWaitsTests {
    @Test func feedRunsStartCommitAndSucceedWhileASlowWS1DownloadIsInFlight() async throws {
        try await FaultHarness.ws1 { ws1, h in
            // About 200 KB at 10 KB/s: a download of ~20 s.
            ws1.addDownload(modifiedAt: WS1Fixture.day(1), csv: .init(rows: 2_000, seed: 4))
            ws1.storage.setMisbehaviour(.trickle(bytes: 1_000, interval: .milliseconds(100)))
            let feedToken = "tok-" + UUID().uuidString
            let feed = CursorFeedEmulator(.init(rowCount: 40, expectedToken: feedToken))
            try await EmulatorServer.withRunning(feed) { feedURL in
                try h.dir.writeJob("feed", FeedJobFile.yaml(url: feedURL, pageSize: 10).replacingOccurrences(
                    of: "every 1h", with: "every 2s"))
                var environment = h.environment
                environment["FEED_TOKEN"] = feedToken
                let daemon = try SluiceProcess.start(["daemon", "--jobs", h.dir.jobs, "--warehouse", h.dir.warehouse],
                                                     in: h.dir.path, environment: environment)
                let ws1Done = try await eventually(within: 90) {
                    (try? h.reader().scalar("SELECT status FROM sluice_runs WHERE job = 'devices' AND status <> 'running'")) != nil
                }
                daemon.signal(SIGTERM)
                let result = try await daemon.wait(timeout: 30)
                #expect(ws1Done, "\(result.stderr)")
                let db = try h.reader()
                let ws1Run = db.rows("SELECT status, started_at, finished_at FROM sluice_runs WHERE job = 'devices' ORDER BY run_id LIMIT 1")
                let (status, started, finished) = (ws1Run.first?[0] ?? nil, ws1Run.first?[1] ?? nil, ws1Run.first?[2] ?? nil)
                #expect(status == "succeeded", "\(ws1Run) \(result.stderr)")
                guard let started, let finished else { return }
                let seconds = (FaultTime.millis(finished) ?? 0) - (FaultTime.millis(started) ?? 0)
                #expect(seconds >= 10_000, "the download must be slow for this test to mean anything: \(seconds) ms")
                // Feed runs that started after the download began and finished, succeeded, before it ended.
                let during = db.rows("""
                    SELECT run_id, status, rows_written FROM sluice_runs
                    WHERE job = 'feed' AND started_at > ? AND finished_at < ? ORDER BY run_id
                    """, [started, finished])
                #expect(during.count >= 3, "feed runs during the download: \(during)")
                #expect(during.allSatisfy { $0[1] == "succeeded" }, "\(during)")
                #expect(during.first?[2] == "40" || db.int("SELECT count(*) FROM feed_rows") == 40, "\(during)")
            }
        }
    }
}
