import Foundation
import SluiceEmulators
import Testing
import SluiceTestSupport

/// `sluice run` / `sluice backfill` with the built binary against the Power BI activity emulator.
@Suite("power bi activity, end to end")
struct PowerBIEndToEndTests {
    @Test func threeDaysLoadExactlyOnceAndARerunAddsNoDuplicates() async throws {
        try await PowerBIFixture.with { f in
            let first = try await f.sluice(["run"])
            #expect(first.exitCode == 0, "\(first.combined)")
            let db = try f.reader()
            let total = f.emulator.eventCount
            #expect(total > 40)
            #expect(db.int("SELECT count(*) FROM pbi_events") == total)
            #expect(db.int("SELECT count(DISTINCT id) FROM pbi_events") == total)
            #expect(Set(db.rows("SELECT id FROM pbi_events").compactMap { $0[0] }) == Set(f.emulator.eventIDs))
            let checkpoint = try #require(try f.checkpoint())
            // Every dated request quoted both instants and kept them inside one UTC day.
            let dated = f.emulator.journal.requests.filter { $0.queryValue("startDateTime") != nil }
            #expect(dated.count >= 3)
            for request in dated {
                let start = request.queryValue("startDateTime") ?? "", end = request.queryValue("endDateTime") ?? ""
                #expect(start.hasPrefix("'") && start.hasSuffix("'") && end.hasPrefix("'") && end.hasSuffix("'"))
                #expect(start.dropFirst().prefix(10) == end.dropFirst().prefix(10))
            }
            #expect(f.emulator.journal.count(status: 400) == 0)

            let requestsBefore = f.emulator.journal.requestCount
            let second = try await f.sluice(["run"])
            #expect(second.exitCode == 0, "\(second.combined)")
            #expect(db.int("SELECT count(*) FROM pbi_events") == total)
            #expect(db.int("SELECT count(DISTINCT id) FROM pbi_events") == total)
            #expect(db.rows("SELECT status, rows_written FROM sluice_runs ORDER BY run_id")
                    == [["succeeded", "\(total)"], ["succeeded", "0"]])
            // The re-run started one hour (late_arrival) before the checkpoint.
            let rerun = f.emulator.journal.requests.filter { $0.number > requestsBefore }
            let rerunStart = rerun.first { $0.queryValue("startDateTime") != nil }?.queryValue("startDateTime")
            #expect(rerunStart != nil && rerunStart != dated.first?.queryValue("startDateTime"))
            #expect(try f.checkpoint() ?? "" >= checkpoint)
            for text in [first.combined, second.combined] { #expect(!text.contains(f.secret)) }
        }
    }

    @Test func knownFieldsGetTheirTypesAndActivitySpecificFieldsAddColumns() async throws {
        try await PowerBIFixture.with { f in
            let result = try await f.sluice(["run"])
            #expect(result.exitCode == 0, "\(result.combined)")
            let db = try f.reader()
            let types = db.declaredTypes("pbi_events")
            #expect(types["creation_time"] == "TIMESTAMP")
            #expect(types["is_success"] == "BOOLEAN")
            #expect(types["record_type"] == "BIGINT")
            #expect(types["user_type"] == "BIGINT")
            #expect(types["sharing_information"] == "TEXT")
            #expect(types["exported_artifact_info"] == "TEXT")
            #expect(types["report_name"] == "TEXT")
            #expect(types["dataflow_name"] == "TEXT")
            let stamp = db.scalar("SELECT creation_time FROM pbi_events LIMIT 1") ?? ""
            #expect(stamp.count == 19 && !stamp.contains("T"))
            #expect(db.int("SELECT count(*) FROM pbi_events WHERE activity = 'ViewReport' AND report_name IS NULL") == 0)
            #expect(db.int("SELECT count(*) FROM pbi_events WHERE activity = 'ViewDashboard' AND report_name IS NOT NULL") == 0)
            let sharing = db.scalar("SELECT sharing_information FROM pbi_events WHERE activity = 'ShareDashboard' LIMIT 1")
            #expect(sharing?.hasPrefix("[{\"RecipientEmail\"") == true)
        }
    }

    @Test func emptyPagesWithATokenAndBareTokensContinueTheChain() async throws {
        try await PowerBIFixture.with(configure: { $0.emptyFirstPage = true; $0.continuation = .tokenOnly }) { f in
            let result = try await f.sluice(["run"])
            #expect(result.exitCode == 0, "\(result.combined)")
            #expect(try f.reader().int("SELECT count(DISTINCT id) FROM pbi_events") == f.emulator.eventCount)
            let continued = f.emulator.journal.requests.filter { $0.queryValue("continuationToken") != nil }
            #expect(!continued.isEmpty)
            #expect(continued.allSatisfy { $0.queryValue("continuationToken")?.hasPrefix("'+RID:~") == true })
            #expect(f.emulator.journal.count(status: 400) == 0)
        }
    }

    @Test func lastResultSetTrueEndsTheChainEvenWithATokenPresent() async throws {
        try await PowerBIFixture.with(configure: { $0.ending = .lastResultSet }) { f in
            let result = try await f.sluice(["run"])
            #expect(result.exitCode == 0, "\(result.combined)")
            #expect(try f.reader().int("SELECT count(*) FROM pbi_events") == f.emulator.eventCount)
            #expect(f.emulator.journal.count(status: 400) == 0)
        }
    }

    @Test func a429RetryAfterIsHonouredAndTheRunCompletes() async throws {
        try await PowerBIFixture.with { f in
            f.emulator.faults.failRequest(2, status: 429, retryAfter: "1")
            let result = try await f.sluice(["run"])
            #expect(result.exitCode == 0, "\(result.combined)")
            #expect(f.emulator.journal.count(status: 429) == 1)
            #expect(try f.reader().int("SELECT count(*) FROM pbi_events") == f.emulator.eventCount)
        }
    }

    @Test func aTokenExpiredMidRunIsReplacedAndTheRunGoesOn() async throws {
        try await PowerBIFixture.with { f in
            f.emulator.expireTokens(atRequest: 3)
            let result = try await f.sluice(["run"])
            #expect(result.exitCode == 0, "\(result.combined)")
            #expect(f.emulator.journal.count(status: 401) == 1)
            #expect(f.emulator.tokensIssued == 2)
            #expect(try f.reader().int("SELECT count(*) FROM pbi_events") == f.emulator.eventCount)
        }
    }

    @Test func aBackfillPullsItsDaysWithoutMovingTheLiveCheckpoint() async throws {
        try await PowerBIFixture.with { f in
            let live = try await f.sluice(["run"])
            #expect(live.exitCode == 0, "\(live.combined)")
            let checkpoint = try f.checkpoint()
            let day = f.emulator.days[1]
            let before = f.emulator.journal.requestCount
            let backfill = try await f.sluice(["backfill", "pbi", "--from", day, "--to", day])
            #expect(backfill.exitCode == 0, "\(backfill.combined)")
            #expect(try f.checkpoint() == checkpoint)
            let db = try f.reader()
            #expect(db.rows("SELECT trigger, status FROM sluice_runs ORDER BY run_id DESC LIMIT 1") == [["backfill", "succeeded"]])
            let dated = f.emulator.journal.requests.filter { $0.number > before && $0.queryValue("startDateTime") != nil }
            #expect(dated.map { $0.queryValue("startDateTime") } == ["'\(day)T00:00:00.000Z'"])
            #expect(dated.map { $0.queryValue("endDateTime") } == ["'\(day)T23:59:59.999Z'"])
            #expect(db.int("SELECT count(*) FROM pbi_events") == f.emulator.eventCount)
        }
    }

    @Test func aBackfillOlderThanTwentyEightDaysIsRefused() async throws {
        try await PowerBIFixture.with { f in
            let old = PowerBIFixture.utcDay(daysAgo: 40)
            let result = try await f.sluice(["backfill", "pbi", "--from", old, "--to", PowerBIFixture.utcDay(daysAgo: 38)])
            #expect(result.exitCode == 1)
            #expect(result.combined.contains("keeps only 28 days"), "\(result.combined)")
            #expect(f.emulator.journal.requestCount == 0)
            #expect(try f.checkpoint() == nil)
        }
    }

    @Test func aContinuationOnAListedSecondHostIsFollowed() async throws {
        try await PowerBIFixture.with(extra: "  continuation_hosts: [localhost]") { f in
            let port = try #require(f.url.split(separator: ":").last)
            f.emulator.setContinuationBase("http://localhost:\(port)")
            let result = try await f.sluice(["run"])
            #expect(result.exitCode == 0, "\(result.combined)")
            #expect(try f.reader().int("SELECT count(*) FROM pbi_events") == f.emulator.eventCount)
        }
    }

    @Test func aContinuationToAForeignHostIsRefusedAndGetsNoToken() async throws {
        let stranger = PowerBIActivityEmulator(.init(tenantID: "x", clientID: "x", clientSecret: "x"))
        try await EmulatorServer.withRunning(stranger, host: "127.0.0.2") { strangerURL in
            try await PowerBIFixture.with { f in
                f.emulator.setContinuationBase(strangerURL)
                let result = try await f.sluice(["run"])
                #expect(result.exitCode == 1)
                #expect(result.combined.contains("refusing to send the token to 127.0.0.2"), "\(result.combined)")
                #expect(stranger.journal.requestCount == 0)
                // Only the empty window before the first day with events can have completed.
                #expect((try f.checkpoint() ?? "") < f.emulator.days[0])
            }
        }
    }
}
