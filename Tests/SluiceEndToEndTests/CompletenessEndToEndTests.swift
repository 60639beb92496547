import Foundation
import SluiceEmulators
import SluiceTestSupport
import Testing

/// The coverage ledger, gaps and their repair, through the built binary and the emulators.
@Suite("completeness you can prove, end to end")
struct CompletenessEndToEndTests {
    /// `YYYY-MM-DD 00:00:00`, the warehouse's text for midnight `daysAgo` days before today (UTC).
    static func midnight(daysAgo: Int) -> String { PowerBIFixture.utcDay(daysAgo: daysAgo) + " 00:00:00" }

    static func coverage(_ db: WarehouseReader, job: String = "pbi") -> [[String?]] {
        db.rows("SELECT substr(window_start, 1, 10), status, rows FROM sluice_coverage WHERE job = ?1 ORDER BY window_start",
                [job])
    }

    @Test func aPowerBIChainBrokenOnDayTwoLeavesThatDayPartialAndTheNextRunRepairsItFirst() async throws {
        try await PowerBIFixture.with { f in
            // Events on the last three UTC days; yesterday's chain breaks after its first page.
            f.emulator.breakChains(daysAgo: 1)
            let broken = try await f.sluice(["run"])
            #expect(broken.exitCode == 1, "\(broken.combined)")
            let db = try f.reader()
            let ledger = Self.coverage(db)
            #expect(ledger.map { $0[0] } == (1...4).reversed().map { Optional(PowerBIFixture.utcDay(daysAgo: $0)) })
            #expect(ledger.map { $0[1] } == ["complete", "complete", "complete", "partial"])
            #expect(ledger[2][2] == "\(f.emulator.eventCount(onDay: PowerBIFixture.utcDay(daysAgo: 2)))")
            #expect(ledger[3][2] == "15", "one page of 15 events was committed before the chain broke")
            let gaps = db.rows("SELECT table_name, gap_start, gap_end, reason, recoverable_until FROM sluice_gaps")
            #expect(gaps == [["pbi_events", Self.midnight(daysAgo: 1), Self.midnight(daysAgo: 0), "partial",
                              Self.midnight(daysAgo: 1 - 28)]])
            let status = try await f.sluice(["status"])
            #expect(status.stdout.contains("1 gap"), "\(status.stdout)")
            #expect(status.stdout.contains("sluice backfill pbi --gaps"), "\(status.stdout)")
            let json = try await f.sluice(["status", "--json"])
            #expect(json.stdout.contains("\"reason\":\"partial\""), "\(json.stdout)")

            let before = f.emulator.journal.requestCount
            let repaired = try await f.sluice(["run"])
            #expect(repaired.exitCode == 0, "\(repaired.combined)")
            let dated = f.emulator.journal.requests.filter { $0.number > before && $0.queryValue("startDateTime") != nil }
            #expect(dated.first?.queryValue("startDateTime")?.hasPrefix("'\(PowerBIFixture.utcDay(daysAgo: 1))T00:00:00") == true,
                    "the gap is re-pulled before anything else: \(dated.map { $0.queryValue("startDateTime") ?? "" })")
            #expect(db.int("SELECT count(*) FROM sluice_gaps") == 0)
            let after = Self.coverage(db)
            #expect(after.allSatisfy { $0[1] == "complete" }, "\(after)")
            #expect(after.map { $0[0] }.contains(Optional(PowerBIFixture.utcDay(daysAgo: 0))))
            #expect(after.count == 5, "one row per day: \(after)")
            #expect(after.first { $0[0] == PowerBIFixture.utcDay(daysAgo: 1) }?[2]
                    == "\(f.emulator.eventCount(onDay: PowerBIFixture.utcDay(daysAgo: 1)))")
            #expect(db.int("SELECT count(DISTINCT id) FROM pbi_events") == f.emulator.eventCount)
            let freshness = db.rows("SELECT table_name, gaps, lost_seconds, stale FROM sluice_freshness WHERE job = 'pbi'")
            #expect(freshness == [["pbi_events", "0", "0", "0"]])
            #expect(db.scalar("SELECT complete_through FROM sluice_freshness WHERE job = 'pbi'") != nil)
        }
    }

    @Test func backfillGapsRepairsEveryGapAndNothingElse() async throws {
        try await PowerBIFixture.with { f in
            f.emulator.breakChains(daysAgo: 2)
            #expect(try await f.sluice(["run"]).exitCode == 1)
            let checkpoint = try f.checkpoint()
            let before = f.emulator.journal.requestCount
            let result = try await f.sluice(["backfill", "pbi", "--gaps"])
            #expect(result.exitCode == 0, "\(result.combined)")
            let dated = f.emulator.journal.requests.filter { $0.number > before && $0.queryValue("startDateTime") != nil }
            #expect(!dated.isEmpty)
            #expect(dated.allSatisfy { $0.queryValue("startDateTime")?.hasPrefix("'\(PowerBIFixture.utcDay(daysAgo: 2))") == true },
                    "only the gap's day is read: \(dated.map { $0.queryValue("startDateTime") ?? "" })")
            let db = try f.reader()
            #expect(db.int("SELECT count(*) FROM sluice_gaps") == 0)
            #expect(try f.checkpoint() == checkpoint, "a repair never moves the live checkpoint")
            #expect(db.rows("SELECT \"trigger\", status FROM sluice_runs ORDER BY run_id").last == ["backfill", "succeeded"])
            // Nothing left to repair: says so and reads nothing.
            let again = try await f.sluice(["backfill", "pbi", "--gaps"])
            #expect(again.exitCode == 0, "\(again.combined)")
            #expect(again.combined.contains("no recoverable gaps"), "\(again.combined)")
        }
    }

    @Test func aGapOlderThanTheAPIsRetentionIsLostAndNeverRequested() async throws {
        try await PowerBIFixture.with { f in
            // A ledger from long ago: a complete day 40 days back, then complete from 30 days back to beyond now.
            let seed = try await f.sluice(["run"])
            #expect(seed.exitCode == 0, "\(seed.combined)")
            let future = String(PowerBIFixture.utcDay(daysAgo: -2)) + " 00:00:00"
            try WarehouseReader.execute(on: f.dir.warehouse, """
                DELETE FROM sluice_coverage;
                INSERT INTO sluice_coverage(job, table_name, window_start, window_end, status, pages, rows, run_id, updated_at)
                VALUES ('pbi', 'pbi_events', '\(Self.midnight(daysAgo: 40))', '\(Self.midnight(daysAgo: 39))', 'complete', 1, 5, 1, '\(Self.midnight(daysAgo: 39))'),
                       ('pbi', 'pbi_events', '\(Self.midnight(daysAgo: 30))', '\(future)', 'complete', 1, 5, 1, '\(Self.midnight(daysAgo: 0))');
                """)
            let before = f.emulator.journal.requestCount
            let run = try await f.sluice(["run"])
            #expect(run.exitCode == 0, "\(run.combined)")
            let dated = f.emulator.journal.requests.filter { $0.number > before }.compactMap { $0.queryValue("startDateTime") }
            let oldest = "'" + PowerBIFixture.utcDay(daysAgo: 28)
            #expect(dated.allSatisfy { $0 >= oldest }, "nothing the API forgot is asked for: \(dated)")
            let db = try f.reader()
            #expect(db.rows("SELECT reason, gap_start, gap_end FROM sluice_gaps")
                    == [["lost", Self.midnight(daysAgo: 39), Self.midnight(daysAgo: 30)]])
            #expect(db.rows("SELECT gaps, lost_seconds FROM sluice_freshness") == [["0", "\(9 * 86_400)"]])
            let status = try await f.sluice(["status"])
            #expect(status.stdout.contains("lost"), "\(status.stdout)")
            #expect(run.combined.contains("lost"), "\(run.combined)")
        }
    }

    @Test func aDayWithNoEventsAfterBusyDaysIsFlaggedSuspiciousButTheRunSucceeds() async throws {
        try await PowerBIFixture.with(configure: { $0.dayCount = 9; $0.quietDaysAgo = [1] }) { f in
            try f.dir.writeJob("pbi", PowerBIFixture.jobYAML(url: f.url).replacingOccurrences(of: "initial_lookback: 4d",
                                                                                              with: "initial_lookback: 10d"))
            let result = try await f.sluice(["run"])
            #expect(result.exitCode == 0, "\(result.combined)")
            #expect(result.combined.contains("far below the usual volume"), "\(result.combined)")
            let db = try f.reader()
            let flagged = db.rows("SELECT substr(window_start, 1, 10), rows FROM sluice_coverage WHERE suspicious")
            #expect(flagged == [[PowerBIFixture.utcDay(daysAgo: 1), "0"]])
            let status = try await f.sluice(["status"])
            #expect(status.stdout.contains("suspicious"), "\(status.stdout)")
        }
    }

    @Test func aCitrixChainBrokenMidWindowIsPartialUntilTheNextRunRepairsIt() async throws {
        try await CitrixFixture.with(rowCounts: ["Sessions": 300]) { f in
            f.emulator.setPageSize(50)
            try f.dir.writeJob("citrix", f.jobYAML(entities: ["Sessions"]))
            f.emulator.breakNextLinks(times: 1)
            let broken = try await f.sluice(["run"])
            #expect(broken.exitCode == 1, "\(broken.combined)")
            let db = try f.reader()
            let statuses = db.rows("SELECT status FROM sluice_coverage WHERE job = 'citrix'").map { $0[0] ?? "" }
            #expect(statuses.contains("partial"), "\(statuses)")
            let gaps = db.rows("SELECT table_name, reason FROM sluice_gaps WHERE job = 'citrix'")
            #expect(gaps == [["citrix_sessions", "partial"]])
            // Recoverable for the default 30 days from the gap's start.
            let gap = db.rows("SELECT gap_start, recoverable_until FROM sluice_gaps").first ?? []
            #expect(gap.count == 2 && gap[1] != nil)

            let repaired = try await f.sluice(["run"])
            #expect(repaired.exitCode == 0, "\(repaired.combined)")
            #expect(db.int("SELECT count(*) FROM sluice_gaps") == 0)
            #expect(db.int("SELECT count(DISTINCT session_key) FROM citrix_sessions") == 300)
        }
    }

    @Test func aCitrixSetWithoutACursorIsAPointAtTheMomentOfTheFullRead() async throws {
        try await CitrixFixture.with(rowCounts: ["Machines": 40]) { f in
            try f.dir.writeJob("machines", f.jobYAML(entities: ["Machines"]))
            let result = try await f.sluice(["run"])
            #expect(result.exitCode == 0, "\(result.combined)")
            let rows = try f.reader().rows("SELECT status, rows, window_start = window_end FROM sluice_coverage")
            #expect(rows == [["complete", "40", "1"]])
        }
    }

    @Test func eachFeedRunCoversFromWhatItAskedForToItsStartWithoutGaps() async throws {
        try await FeedFixture.with { f in
            #expect(try await f.sluice(["run"]).exitCode == 0)
            #expect(try await f.sluice(["run"]).exitCode == 0)
            let db = try f.reader()
            let rows = db.rows("SELECT window_start, window_end, status, rows FROM sluice_coverage ORDER BY window_start")
            #expect(rows.count == 2, "\(rows)")
            #expect(rows.map { $0[2] } == ["complete", "complete"])
            #expect(rows.first?[3] == "250")
            // The first run starts at the earliest updated value served, the second where it asked from.
            #expect(rows.first?[0] == db.scalar("SELECT min(updated_at_utc) FROM feed_rows"), "\(rows)")
            #expect(db.int("SELECT count(*) FROM sluice_gaps") == 0)
            #expect(db.rows("SELECT gaps, stale FROM sluice_freshness") == [["0", "0"]])
        }
    }

    @Test func eachWS1DownloadIsAPointAtItsCreationTime() async throws {
        try await WS1Fixture.with { f in
            f.ws1.addDownload(modifiedAt: WS1Fixture.day(1), csv: .init(rows: 5, seed: 1))
            #expect(try await f.sluice(["run"]).exitCode == 0)
            f.ws1.addDownload(modifiedAt: WS1Fixture.day(2), csv: .init(rows: 7, seed: 2))
            #expect(try await f.sluice(["run"]).exitCode == 0)
            let db = try f.reader()
            let rows = db.rows("SELECT window_start, status, rows FROM sluice_coverage WHERE window_start = window_end "
                               + "ORDER BY window_start")
            let snapshots = db.rows("SELECT snapshot_at FROM sluice_snapshots ORDER BY snapshot_at").map { $0[0] }
            #expect(rows.map { $0[0] } == snapshots)
            #expect(rows.map { $0[2] } == ["5", "7"])
            #expect(db.int("SELECT count(*) FROM sluice_gaps") == 0, "snapshots never make gaps")
        }
    }
}
