import Foundation
import SluiceEmulators
import SluiceTestSupport
import Testing

/// SIGKILL at any moment leaves a warehouse that passes
/// `integrity_check`, whose checkpoint never points past committed data, and which converges to exactly the
/// content of an uninterrupted run; the killed runs end up `abandoned`.
@Suite("kill anywhere", .serialized)
struct KillAnywhereTests {
    static let kills = 20
    static let seed: UInt64 = 0x51_1CE5

    @Test func cursorFeedSurvivesTwentyRandomKills() async throws {
        let rows = 600
        // The clean reference: one uninterrupted run.
        let reference = try await FeedFixture.with(.init(rowCount: rows), pageSize: 25) { f in
            let result = try await f.sluice(["run"])
            #expect(result.exitCode == 0, "\(result.combined)")
            return try f.reader().content(of: "feed_rows", orderBy: "id")
        }
        #expect(reference.count == rows)

        try await FeedFixture.with(.init(rowCount: rows), pageSize: 25) { f in
            var random = SeededRandom(seed: Self.seed)
            var interrupted = 0
            for round in 1...Self.kills {
                // Each round starts from an empty warehouse, is killed mid-load, then re-run to completion.
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: f.dir.warehouse + suffix) }
                f.feed.faults.setDelay(.milliseconds(20))
                // The kill lands after a random number of the run's page requests (0: while the process starts,
                // before any table exists), then a random part of a page's time: counted in requests, not in
                // wall time, so a loaded machine that starts the binary slowly still sees kills mid-run.
                let pagesBefore = Int.random(in: 0...20, using: &random)
                let within = Int.random(in: 0...25, using: &random)
                let before = f.feed.journal.requestCount
                let process = try SluiceProcess.start(["run", "--jobs", f.dir.jobs, "--warehouse", f.dir.warehouse],
                                                      in: f.dir.path, environment: f.environment)
                let reached = try await eventually(within: 30) { f.feed.journal.requestCount - before >= pagesBefore }
                #expect(reached, "round \(round): the run never made \(pagesBefore) requests")
                try await Task.sleep(for: .milliseconds(within))
                process.signal(SIGKILL)
                _ = try await process.wait(timeout: 30)
                let context = "round \(round), seed \(Self.seed)"

                if FileManager.default.fileExists(atPath: f.dir.warehouse) {
                    // A read-only reader cannot rebuild the WAL index a SIGKILL left stale; any writer (the next
                    // run) does so on open. Do that first, as the next run would.
                    WALRecovery.recover(f.dir.warehouse)
                    let db = try f.reader()
                    #expect(db.scalar("PRAGMA integrity_check") == "ok", "\(context)")
                    if db.int("SELECT count(*) FROM sluice_runs WHERE status = 'running'") > 0 { interrupted += 1 }
                    // The checkpoint never runs ahead of committed data: the watermark is a committed row's value.
                    if let watermark = db.scalar("SELECT value FROM sluice_state WHERE job='feed' AND key='watermark'") {
                        let committed = db.int("SELECT count(*) FROM feed_rows WHERE updated_at_utc = ?",
                                               [Self.normalized(watermark)])
                        let table = db.rows("SELECT count(*), max(updated_at_utc) FROM feed_rows")
                        #expect(committed == 1, "\(context): watermark \(watermark) has no committed row (table: \(table))")
                    }
                }
                f.feed.faults.setDelay(.zero)
                let rerun = try await f.sluice(["run"])
                #expect(rerun.exitCode == 0, "\(context): \(rerun.combined)")
                let db = try f.reader()
                #expect(db.content(of: "feed_rows", orderBy: "id") == reference, "\(context)")
                #expect(db.scalar("PRAGMA integrity_check") == "ok", "\(context)")
                #expect(db.int("SELECT count(*) FROM sluice_runs WHERE status = 'running'") == 0, "\(context)")
                let killed = db.int("SELECT count(*) FROM sluice_runs WHERE run_id < (SELECT max(run_id) FROM sluice_runs) AND status != 'succeeded'")
                #expect(db.int("SELECT count(*) FROM sluice_runs WHERE status = 'abandoned'") == killed, "\(context)")
            }
            // The kills must really land mid-run for the test to prove anything.
            #expect(interrupted >= Self.kills / 2, "only \(interrupted) of \(Self.kills) kills hit a run in flight")
        }
    }

    /// The warehouse stores `2026-01-01 00:10:00` for the feed's `2026-01-01T00:10:00Z`.
    static func normalized(_ iso: String) -> String {
        iso.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "")
    }
}
