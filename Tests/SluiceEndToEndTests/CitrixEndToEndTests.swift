import Foundation
import SluiceEmulators
import Testing
import SluiceTestSupport

/// `sluice run` / `sluice backfill` with the built binary against the Citrix Monitor emulator.
@Suite("citrix monitor, end to end")
struct CitrixEndToEndTests {
    @Test func pagesOfSeveralHundredRowsLandInTypedTablesWithAWatermark() async throws {
        try await CitrixFixture.with { f in
            try f.dir.writeJob("citrix", f.jobYAML(entities: ["Sessions", "Machines", "Users"]))
            let result = try await f.sluice(["run"])
            #expect(result.exitCode == 0, "\(result.combined)")
            let db = try f.reader()
            #expect(db.int("SELECT count(*) FROM citrix_sessions") == 300)
            #expect(db.int("SELECT count(DISTINCT session_key) FROM citrix_sessions") == 300)
            #expect(db.int("SELECT count(*) FROM citrix_machines") == 40)
            #expect(db.int("SELECT count(*) FROM citrix_users") == 120)
            let types = db.declaredTypes("citrix_sessions")
            #expect(types["session_key"] == "TEXT" && types["machine_id"] == "TEXT")
            #expect(types["modified_date"] == "TIMESTAMP" && types["start_date"] == "TIMESTAMP")
            #expect(types["connection_state"] == "BIGINT" && types["current_connection_id"] == "BIGINT")
            #expect(types["is_anonymous"] == "BOOLEAN")
            // A column that is null in every row still gets its declared type from $metadata.
            #expect(types["failure_date"] == "TIMESTAMP")
            #expect(db.declaredTypes("citrix_machines")["is_in_maintenance_mode"] == "BOOLEAN")
            let stamps = db.rows("SELECT modified_date FROM citrix_sessions").compactMap { $0[0] }
            #expect(stamps.allSatisfy { $0.count == 19 || $0.count == 23 })
            #expect(db.scalar("SELECT value FROM sluice_state WHERE job='citrix' AND key='watermark.Sessions'")
                    == f.emulator.changeDateText("Sessions", row: 300))
            #expect(db.scalar("SELECT count(*) FROM sluice_state WHERE key='watermark.Machines'") == "0")
            // Every Monitor request carried the CWSAuth scheme and the first one was $metadata, once.
            let requests = f.emulator.journal.requests
            #expect(requests.allSatisfy { $0.authorizationScheme == "CWSAuth" })
            #expect(requests.filter { $0.path.hasSuffix("$metadata") }.count == 1)
            #expect(requests.filter { $0.path.hasSuffix("/Sessions") }.allSatisfy {
                $0.queryValue("$orderby") == "ModifiedDate asc" && $0.queryValue("$filter")?.contains("'") == false })
            #expect(requests.contains { $0.queryValue("$skiptoken") != nil })
            #expect(!result.combined.contains(f.secret))
        }
    }

    @Test func aSecondRunFiltersFromTheWatermarkMinusLookbackAndUpdatesModifiedRows() async throws {
        try await CitrixFixture.with(rowCounts: ["Sessions": 300]) { f in
            try f.dir.writeJob("citrix", f.jobYAML(entities: ["Sessions"]))
            let first = try await f.sluice(["run"])
            #expect(first.exitCode == 0, "\(first.combined)")
            let db = try f.reader()
            let watermark = try #require(db.scalar("SELECT value FROM sluice_state WHERE key='watermark.Sessions'"))
            f.emulator.modify("Sessions", rows: [5, 6], at: Date().addingTimeInterval(-30))
            f.emulator.journal.reset()

            let second = try await f.sluice(["run"])
            #expect(second.exitCode == 0, "\(second.combined)")
            let firstQuery = f.emulator.journal.requests.first { $0.path.hasSuffix("/Sessions") }
            let from = try #require(CitrixFixture.iso(watermark, minus: 3600))
            #expect(firstQuery?.queryValue("$filter")?.hasPrefix("ModifiedDate ge \(from) and ModifiedDate lt ") == true,
                    "\(String(describing: firstQuery))")
            #expect(db.int("SELECT count(*) FROM citrix_sessions") == 300)
            #expect(db.rows("SELECT session_key FROM citrix_sessions WHERE connection_state = 3 AND end_date IS NOT NULL "
                            + "AND session_key IN (?, ?)",
                            [f.emulator.keyText("Sessions", row: 5)!, f.emulator.keyText("Sessions", row: 6)!]).count == 2)
            #expect(db.scalar("SELECT rows_written FROM sluice_runs ORDER BY run_id DESC LIMIT 1") == "2")
            #expect(db.scalar("SELECT value FROM sluice_state WHERE key='watermark.Sessions'")
                    == f.emulator.changeDateText("Sessions", row: 6))
        }
    }

    @Test func twoJobsOfOneCustomerNeverCallTheServiceAtTheSameTime() async throws {
        try await CitrixFixture.with(holdTime: .milliseconds(15)) { f in
            try f.dir.writeJob("citrix-a", f.jobYAML(entities: ["Sessions", "Machines"]))
            try f.dir.writeJob("citrix-b", f.jobYAML(entities: ["Users", "{ name: Sessions, table: b_sessions }"]))
            let result = try await f.sluice(["run"])
            #expect(result.exitCode == 0, "\(result.combined)")
            #expect(f.emulator.concurrencyViolations == 0)
            #expect(f.emulator.journal.count(status: 429) == 0)
            let db = try f.reader()
            #expect(db.int("SELECT count(*) FROM citrix_sessions") == 300)
            #expect(db.int("SELECT count(*) FROM b_sessions") == 300)
            #expect(db.rows("SELECT status FROM sluice_runs") == [["succeeded"], ["succeeded"]])
        }
    }

    @Test func anExpiredTokenMidRunIsReplacedAndTheRunGoesOn() async throws {
        try await CitrixFixture.with(rowCounts: ["Sessions": 300]) { f in
            try f.dir.writeJob("citrix", f.jobYAML(entities: ["Sessions"], window: "7d"))
            f.emulator.expireTokens(onRequest: 3)
            let result = try await f.sluice(["run"])
            #expect(result.exitCode == 0, "\(result.combined)")
            #expect(f.emulator.journal.count(status: 401) == 1)
            #expect(f.emulator.tokens.tokensIssued == 2)
            #expect(try f.reader().int("SELECT count(*) FROM citrix_sessions") == 300)
        }
    }

    @Test(arguments: ["odata-error", "malformed"])
    func aBrokenPageFailsTheRunNamingEntityAndPageAndKeepsEarlierPages(fault: String) async throws {
        try await CitrixFixture.with(rowCounts: ["Sessions": 300]) { f in
            try f.dir.writeJob("citrix", f.jobYAML(entities: ["Sessions"], window: "7d"))
            // Request 1 is $metadata, 2 is page 1, 3 is page 2.
            if fault == "odata-error" { f.emulator.odataError(onRequest: 3) } else { f.emulator.faults.truncateResponse(toRequest: 3) }
            let result = try await f.sluice(["run"])
            #expect(result.exitCode == 1)
            let db = try f.reader()
            let error = db.scalar("SELECT error FROM sluice_runs WHERE status = 'failed'") ?? ""
            #expect(error.contains("job 'citrix'") && error.contains("page 2 of Sessions"), "\(error)")
            #expect(error.contains(fault == "odata-error" ? "InternalError" : "malformed JSON"), "\(error)")
            #expect(db.int("SELECT count(*) FROM citrix_sessions") == 100)
            #expect(db.scalar("SELECT value FROM sluice_state WHERE key='watermark.Sessions'")
                    == f.emulator.changeDateText("Sessions", row: 100))
            #expect(f.emulator.journal.requestCount == 3)
        }
    }

    @Test func aNextLinkToAnotherHostFailsTheRunNamingTheHost() async throws {
        try await CitrixFixture.with(rowCounts: ["Sessions": 300]) { f in
            try f.dir.writeJob("citrix", f.jobYAML(entities: ["Sessions"], window: "7d"))
            f.emulator.setNextLinkOrigin("http://127.0.0.9:9")
            let result = try await f.sluice(["run"])
            #expect(result.exitCode == 1)
            #expect(result.combined.contains("127.0.0.9"), "\(result.combined)")
            #expect(try f.reader().int("SELECT count(*) FROM citrix_sessions") == 100)
        }
    }

    @Test func aBackfillReadsTheRangeInDayWindowsAndWritesNoWatermark() async throws {
        try await CitrixFixture.with(rowCounts: ["Sessions": 300]) { f in
            try f.dir.writeJob("citrix", f.jobYAML(entities: ["Sessions"]))
            let today = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
            let yesterday = String(ISO8601DateFormatter().string(from: Date().addingTimeInterval(-86_400)).prefix(10))
            let result = try await f.sluice(["backfill", "citrix", "--from", yesterday, "--to", today])
            #expect(result.exitCode == 0, "\(result.combined)")
            let db = try f.reader()
            #expect(db.int("SELECT count(*) FROM citrix_sessions") > 0)
            #expect(db.int("SELECT count(*) FROM sluice_state") == 0)
            let filters = f.emulator.journal.requests.compactMap { $0.queryValue("$filter") }
            #expect(filters.first?.hasPrefix("ModifiedDate ge \(yesterday)T00:00:00Z and ModifiedDate lt \(today)T00:00:00Z")
                    == true, "\(filters)")
            #expect(filters.contains { $0.hasPrefix("ModifiedDate ge \(today)T00:00:00Z") })
        }
    }
}
