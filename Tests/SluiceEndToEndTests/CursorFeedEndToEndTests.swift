import Foundation
import SluiceEmulators
import SluiceTestSupport
import Testing

/// `sluice run` with the built binary against the cursor-feed emulator, checked by opening the warehouse.
@Suite("cursor feed, end to end")
struct CursorFeedEndToEndTests {
    @Test func aRunLoadsEveryRowOnceAndASecondRunWritesNothing() async throws {
        try await FeedFixture.with { f in
            let first = try await f.sluice(["run"])
            #expect(first.exitCode == 0, "\(first.combined)")
            #expect(first.stdout.contains("feed: succeeded, 250 rows written"))
            let db = try f.reader()
            #expect(db.int("SELECT count(*) FROM feed_rows") == 250)
            #expect(db.int("SELECT count(DISTINCT id) FROM feed_rows") == 250)
            #expect(db.scalar("SELECT value FROM sluice_state WHERE job='feed' AND key='watermark'")
                    == f.feed.updatedAt(id: 250))

            let second = try await f.sluice(["run", "feed"])
            #expect(second.exitCode == 0, "\(second.combined)")
            #expect(db.int("SELECT count(*) FROM feed_rows") == 250)
            let runs = db.rows("SELECT status, rows_written FROM sluice_runs ORDER BY run_id")
            #expect(runs == [["succeeded", "250"], ["succeeded", "0"]])
            // The second run asked only for rows from the watermark on.
            let secondRunFirstRequest = f.feed.journal.requests.first { $0.queryValue("updated_since") != nil }
            #expect(secondRunFirstRequest?.queryValue("updated_since") == f.feed.updatedAt(id: 250))
            #expect(db.scalar("PRAGMA integrity_check") == "ok")
            for text in [first.combined, second.combined] { #expect(!text.contains(f.token)) }
            let bytes = try Data(contentsOf: URL(fileURLWithPath: f.dir.warehouse))
            #expect(bytes.range(of: Data(f.token.utf8)) == nil)
        }
    }

    @Test func columnsGetTypesTheODBCDriverUnderstands() async throws {
        try await FeedFixture.with { f in
            let result = try await f.sluice(["run"])
            #expect(result.exitCode == 0, "\(result.combined)")
            let types = try f.reader().declaredTypes("feed_rows")
            #expect(types["id"] == "BIGINT")
            #expect(types["amount"] == "DOUBLE")
            #expect(types["active"] == "BOOLEAN")
            #expect(types["updated_at_utc"] == "TIMESTAMP")
            #expect(types["created_on"] == "DATE")
            #expect(types["tags"] == "TEXT")
            #expect(types["_sluice_run_id"] == "BIGINT")
            #expect(types["_sluice_loaded_at"] == "TIMESTAMP")
            let stamp = try f.reader().scalar("SELECT updated_at_utc FROM feed_rows WHERE id = 1")
            #expect(stamp == "2026-01-01 00:00:00")
        }
    }

    @Test func changedRowsAreUpdatedInPlace() async throws {
        try await FeedFixture.with { f in
            _ = try await f.sluice(["run"])
            f.feed.touch(ids: [3, 7], at: Date(timeIntervalSince1970: 1_767_225_600 + 86_400), name: "renamed")
            let result = try await f.sluice(["run"])
            #expect(result.exitCode == 0, "\(result.combined)")
            let db = try f.reader()
            #expect(db.int("SELECT count(*) FROM feed_rows") == 250)
            #expect(db.rows("SELECT id FROM feed_rows WHERE name = 'renamed' ORDER BY id") == [["3"], ["7"]])
            #expect(db.scalar("SELECT rows_written FROM sluice_runs ORDER BY run_id DESC LIMIT 1") == "2")
        }
    }

    @Test func aMalformedPageKeepsEarlierPagesWithTheirCheckpoint() async throws {
        try await FeedFixture.with { f in
            f.feed.faults.truncateResponse(toRequest: 3)
            let failed = try await f.sluice(["run"])
            #expect(failed.exitCode == 1)
            #expect(failed.combined.contains("job 'feed'"))
            #expect(failed.combined.contains("page 3"))
            let db = try f.reader()
            #expect(db.int("SELECT count(*) FROM feed_rows") == 100)
            #expect(db.scalar("SELECT value FROM sluice_state WHERE job='feed' AND key='watermark'")
                    == f.feed.updatedAt(id: 100))
            let error = db.scalar("SELECT error FROM sluice_runs WHERE status = 'failed'") ?? ""
            #expect(error.contains("job 'feed'") && error.contains("page 3") && error.contains("JSON"))

            f.feed.faults.reset()
            let again = try await f.sluice(["run"])
            #expect(again.exitCode == 0, "\(again.combined)")
            #expect(db.int("SELECT count(*) FROM feed_rows") == 250)
            #expect(db.scalar("PRAGMA integrity_check") == "ok")
        }
    }

    @Test func aTransientServerErrorIsRetried() async throws {
        try await FeedFixture.with { f in
            f.feed.faults.failRequest(2, status: 503, retryAfter: "1")
            let result = try await f.sluice(["run"])
            #expect(result.exitCode == 0, "\(result.combined)")
            #expect(try f.reader().int("SELECT count(*) FROM feed_rows") == 250)
            #expect(f.feed.journal.count(status: 503) == 1)
        }
    }

    @Test func aGrowingSchemaAddsAColumn() async throws {
        try await FeedFixture.with(.init(schemaGrowthAtRow: 200)) { f in
            let result = try await f.sluice(["run"])
            #expect(result.exitCode == 0, "\(result.combined)")
            let db = try f.reader()
            #expect(db.declaredTypes("feed_rows")["region"] == "TEXT")
            #expect(db.int("SELECT count(*) FROM feed_rows WHERE region IS NOT NULL") == 51)
            #expect(db.scalar("SELECT source_name FROM sluice_columns WHERE table_name='feed_rows' AND column_name='region'")
                    == "region")
            #expect(db.scalar("SELECT value FROM sluice_state WHERE job='feed' AND key='schema_version'") == "2")
        }
    }

    @Test func aRejectedTokenFailsClearlyWithoutShowingIt() async throws {
        try await FeedFixture.with { f in
            let wrong = "wrong-" + UUID().uuidString
            let result = try await f.sluice(["run"], environment: ["FEED_TOKEN": wrong])
            #expect(result.exitCode == 1)
            #expect(result.combined.contains("401"))
            #expect(!result.combined.contains(wrong))
            #expect(!result.combined.contains(f.token))
            let db = try f.reader()
            #expect(db.scalar("SELECT status FROM sluice_runs") == "failed")
            #expect(!(db.scalar("SELECT error FROM sluice_runs") ?? "").contains(wrong))
            #expect(f.feed.journal.requestCount == 1)
        }
    }

    @Test func aMissingSecretNamesTheVariable() async throws {
        try await FeedFixture.with { f in
            let result = try await SluiceProcess.run(["run", "--jobs", f.dir.jobs, "--warehouse", f.dir.warehouse],
                                                     in: f.dir.path)
            #expect(result.exitCode == 1)
            #expect(result.combined.contains("FEED_TOKEN"))
            #expect(f.feed.journal.requestCount == 0)
        }
    }

    @Test func statusShowsTheLastRunAndCheckpointAsJSON() async throws {
        try await FeedFixture.with { f in
            _ = try await f.sluice(["run"])
            let status = try await f.sluice(["status", "--json"])
            #expect(status.exitCode == 0, "\(status.combined)")
            #expect(status.stdout.contains("\"job\":\"feed\""))
            #expect(status.stdout.contains("\"status\":\"succeeded\""))
            #expect(status.stdout.contains("\"rows_written\":250"))
            #expect(status.stdout.contains("\"watermark\""))
            #expect(!status.stdout.contains(f.token))
        }
    }
}
