import Foundation
import Glibc
import SluiceTestSupport
import Testing
import SluiceEmulators

/// Ctrl-C during `sluice run`: the page being written commits, the run is recorded `cancelled` with what it
/// really wrote, and the process exits 130.
@Suite("Ctrl-C during run, end to end")
struct InterruptTests {
    @Test func sigintRecordsTheRunCancelledWithItsCommittedRowsAndExits130() async throws {
        try await FeedFixture.with(.init(rowCount: 600), pageSize: 10) { f in
            f.feed.faults.setDelay(.milliseconds(100))
            let run = try SluiceProcess.start(["run", "--jobs", f.dir.jobs, "--warehouse", f.dir.warehouse],
                                              in: f.dir.path, environment: f.environment)
            let committed = try await eventually(within: 60) {
                (try? f.reader())?.int("SELECT count(*) FROM feed_rows") ?? 0 >= 30
            }
            run.signal(SIGINT)
            let result = try await run.wait(timeout: 60)
            #expect(committed, "no pages committed before the signal: \(result.combined)")
            #expect(result.exitCode == 130, "\(result.combined)")
            let db = try f.reader()
            let rows = db.int("SELECT count(*) FROM feed_rows")
            let ledger = db.rows("SELECT status, rows_written, requests FROM sluice_runs")
            #expect(ledger.count == 1)
            #expect(ledger.first?[0] == "cancelled", "\(ledger)")
            #expect(rows >= 30 && rows < 600, "\(rows)")
            #expect(ledger.first?[1] == "\(rows)", "rows_written \(ledger) but \(rows) rows in the table")
            #expect(Int(ledger.first?[2] ?? nil ?? "0") ?? 0 >= rows / 10, "\(ledger)")
            // The watermark covers exactly what was committed, so the next run goes on from there.
            #expect(db.scalar("SELECT value FROM sluice_state WHERE job='feed' AND key='watermark'") == f.feed.updatedAt(id: rows))
            #expect(result.stdout.contains("feed: cancelled, \(rows) rows written"), "\(result.stdout)")

            f.feed.faults.setDelay(.zero)
            let again = try await f.sluice(["run"])
            #expect(again.exitCode == 0, "\(again.combined)")
            #expect(db.int("SELECT count(*) FROM feed_rows") == 600)
        }
    }
}
