import Foundation
import SluiceEmulators
import Testing
import SluiceTestSupport

/// `sluice run` with the built binary against the WS1 Intelligence emulator (API on 127.0.0.1, storage on 127.0.0.2).
@Suite("WS1 Intelligence, end to end")
struct WS1EndToEndTests {
    @Test func theNewestCompletedDownloadIsLoadedWhateverItsPositionInTheList() async throws {
        try await WS1Fixture.with { f in
            f.ws1.addDownload(modifiedAt: WS1Fixture.day(1), csv: .init(rows: 5, seed: 1))
            let newest = f.ws1.addDownload(modifiedAt: WS1Fixture.day(3), csv: .init(rows: 12, seed: 3))
            f.ws1.addDownload(modifiedAt: WS1Fixture.day(2), csv: .init(rows: 7, seed: 2))
            f.ws1.addDownload(status: "PENDING", modifiedAt: WS1Fixture.day(4), csv: .init(rows: 3))
            f.ws1.addDownload(status: "FAILED", modifiedAt: WS1Fixture.day(5), csv: .init(rows: 3))
            #expect(f.ws1.listedIDs.last != newest || f.ws1.listedIDs.first != newest)

            let result = try await f.sluice(["run"])
            #expect(result.exitCode == 0, "\(result.combined)")
            #expect(f.ws1.downloadRequests == [newest])
            let db = try f.reader()
            #expect(db.int("SELECT count(*) FROM devices") == 12)
            #expect(db.int("SELECT count(*) FROM devices_latest") == 12)
            #expect(db.scalar("SELECT DISTINCT _sluice_snapshot_id FROM devices") == newest)
            #expect(db.scalar("SELECT value FROM sluice_state WHERE job='devices' AND key='last_download_id'") == newest)
            // Five entries with page_size 2: three list pages.
            #expect(f.ws1.journal.requests.filter { $0.path.hasSuffix("/downloads/search") }.count == 3)
            // The storage host never saw the API token; nothing secret reached the output.
            #expect(f.ws1.storage.journal.requestCount == 1)
            #expect(f.ws1.storage.requestsWithAuthorization == 0)
            #expect(!result.combined.contains(f.secret))
            #expect(!result.combined.contains("Signature="))
        }
    }

    @Test func csvValuesGetTypesAndWS1DatesBecomeUTCTimestamps() async throws {
        try await WS1Fixture.with { f in
            f.ws1.addDownload(modifiedAt: WS1Fixture.day(1), csv: .init(rows: 30, byteOrderMark: true, multilineEvery: 4))
            let result = try await f.sluice(["run"])
            #expect(result.exitCode == 0, "\(result.combined)")
            let db = try f.reader()
            let types = db.declaredTypes("devices")
            #expect(types["device_friendly_name"] == "TEXT")
            #expect(types["last_seen_utc"] == "TIMESTAMP")
            #expect(types["enrolled"] == "BOOLEAN")
            #expect(types["battery"] == "BIGINT")
            #expect(types["storage_free_gb"] == "DOUBLE")
            #expect(types["enrollment_date"] == "DATE")
            #expect(types["_sluice_snapshot_id"] == "TEXT")
            #expect(types["_sluice_snapshot_at"] == "TIMESTAMP")
            // The BOM did not end up in the first column's name.
            #expect(db.scalar("SELECT source_name FROM sluice_columns WHERE column_name='device_friendly_name'")
                    == "Device Friendly Name")
            #expect(db.scalar("SELECT source_name FROM sluice_columns WHERE column_name='serial_number'") == "Serial \"Number\"")
            let seen = db.scalar("SELECT last_seen_utc FROM devices LIMIT 1") ?? ""
            #expect(seen.count == 19 && seen.dropFirst(10).hasPrefix(" "), "\(seen)")
            // Multi-line notes with quotes and commas survive; empty cells are NULL.
            #expect(db.scalar("SELECT notes FROM devices WHERE notes LIKE 'line one of 4%'")
                    == "line one of 4\nline \"two\", with comma")
            #expect(db.int("SELECT count(*) FROM devices WHERE battery IS NULL") == 2)
            #expect(db.int("SELECT count(*) FROM devices") == 30)
        }
    }

    @Test func aSecondRunIsUnchangedAndANewDownloadAppendsASnapshot() async throws {
        try await WS1Fixture.with { f in
            let first = f.ws1.addDownload(modifiedAt: WS1Fixture.day(1), csv: .init(rows: 10, seed: 1, lineEnding: .lf))
            #expect(try await f.sluice(["run"]).exitCode == 0)
            let again = try await f.sluice(["run"])
            #expect(again.exitCode == 0, "\(again.combined)")
            #expect(again.stdout.contains("unchanged"), "\(again.stdout)")
            #expect(f.ws1.downloadRequests == [first])

            let second = f.ws1.addDownload(modifiedAt: WS1Fixture.day(2), csv: .init(rows: 6, seed: 2, finalLineEnding: false))
            let third = try await f.sluice(["run"])
            #expect(third.exitCode == 0, "\(third.combined)")
            let db = try f.reader()
            #expect(db.int("SELECT count(*) FROM devices") == 16)
            #expect(db.int("SELECT count(*) FROM devices_latest") == 6)
            #expect(db.scalar("SELECT DISTINCT _sluice_snapshot_id FROM devices_latest") == second)
            #expect(db.rows("SELECT snapshot_id, rows FROM sluice_snapshots ORDER BY snapshot_at")
                    == [[first, "10"], [second, "6"]])
            #expect(db.rows("SELECT status FROM sluice_runs ORDER BY run_id") == [["succeeded"], ["unchanged"], ["succeeded"]])
        }
    }

    @Test func keepSnapshotsPrunesTheOldest() async throws {
        try await WS1Fixture.with { f in
            try f.writeJob(target: "  keep_snapshots: 2")
            var ids: [String] = []
            for day in 1...3 {
                ids.append(f.ws1.addDownload(modifiedAt: WS1Fixture.day(day), csv: .init(rows: 4, seed: day)))
                let result = try await f.sluice(["run"])
                #expect(result.exitCode == 0, "\(result.combined)")
            }
            let db = try f.reader()
            #expect(db.rows("SELECT snapshot_id FROM sluice_snapshots ORDER BY snapshot_at") == [[ids[1]], [ids[2]]])
            #expect(db.int("SELECT count(*) FROM devices") == 8)
        }
    }

    @Test func aTruncatedDownloadCommitsNothingAndNamesTheRow() async throws {
        try await WS1Fixture.with { f in
            f.ws1.addDownload(modifiedAt: WS1Fixture.day(1), csv: .init(rows: 20, fault: .truncated))
            let result = try await f.sluice(["run"])
            #expect(result.exitCode == 1)
            #expect(result.combined.contains("job 'devices'"))
            #expect(result.combined.contains("row "), "\(result.combined)")
            #expect(result.combined.contains("cut short"), "\(result.combined)")
            let db = try f.reader()
            #expect(db.int("SELECT count(*) FROM sqlite_master WHERE name = 'devices'") == 0)
            #expect(db.scalar("SELECT value FROM sluice_state WHERE key='last_download_id'") == nil)
            #expect(db.scalar("SELECT status FROM sluice_runs") == "failed")
        }
    }

    @Test func aRowWithTheWrongFieldCountCommitsNothingAndNamesTheRow() async throws {
        try await WS1Fixture.with { f in
            f.ws1.addDownload(modifiedAt: WS1Fixture.day(1), csv: .init(rows: 12_000, fault: .wrongFieldCount(row: 11_000)))
            let result = try await f.sluice(["run"])
            #expect(result.exitCode == 1)
            #expect(result.combined.contains("row 11000 has 11 fields, the header has 10"), "\(result.combined)")
            let db = try f.reader()
            // Two batches of 5,000 rows were written inside the unit, and rolled back with it.
            #expect(db.int("SELECT count(*) FROM sqlite_master WHERE name = 'devices'") == 0)
            #expect(db.int("SELECT count(*) FROM sluice_state") == 0)
        }
    }

    @Test func aBackfillLoadsMissingDownloadsInRangeOldestFirstAndKeepsTheLiveCheckpoint() async throws {
        try await WS1Fixture.with { f in
            let d1 = f.ws1.addDownload(modifiedAt: WS1Fixture.day(1), csv: .init(rows: 3, seed: 1))
            let d2 = f.ws1.addDownload(modifiedAt: WS1Fixture.day(2), csv: .init(rows: 4, seed: 2))
            f.ws1.addDownload(status: "FAILED", modifiedAt: WS1Fixture.day(2, hours: 18), csv: .init(rows: 1))
            let d3 = f.ws1.addDownload(modifiedAt: WS1Fixture.day(3), csv: .init(rows: 5, seed: 3))
            let d9 = f.ws1.addDownload(modifiedAt: WS1Fixture.day(9), csv: .init(rows: 6, seed: 9))
            #expect(try await f.sluice(["run"]).exitCode == 0)
            #expect(f.ws1.downloadRequests == [d9])

            let backfill = try await f.sluice(["backfill", "devices", "--from", "2026-03-02", "--to", "2026-03-10"])
            #expect(backfill.exitCode == 0, "\(backfill.combined)")
            #expect(f.ws1.downloadRequests == [d9, d1, d2, d3])
            let db = try f.reader()
            #expect(db.scalar("SELECT value FROM sluice_state WHERE key='last_download_id'") == d9)
            #expect(db.scalar("SELECT DISTINCT _sluice_snapshot_id FROM devices_latest") == d9)
            #expect(db.int("SELECT count(*) FROM devices") == 3 + 4 + 5 + 6)

            let again = try await f.sluice(["backfill", "devices", "--from", "2026-03-02", "--to", "2026-03-10"])
            #expect(again.exitCode == 0, "\(again.combined)")
            #expect(f.ws1.downloadRequests.count == 4)
        }
    }

    @Test func runReportWaitsForTheRunToComplete() async throws {
        try await WS1Fixture.with(completeAfterPolls: 3) { f in
            f.ws1.addDownload(modifiedAt: WS1Fixture.day(1), csv: .init(rows: 3))
            try f.writeJob(source: "  run_report: true\n  run_timeout: 20s")
            let result = try await f.sluice(["run"])
            #expect(result.exitCode == 0, "\(result.combined)")
            #expect(f.ws1.journal.requests.contains { $0.path.hasSuffix("/run") })
            #expect(try f.reader().int("SELECT count(*) FROM devices") == 40)
        }
    }

    @Test func runReportTimesOutClearly() async throws {
        try await WS1Fixture.with(completeAfterPolls: Int.max) { f in
            try f.writeJob(source: "  run_report: true\n  run_timeout: 1s")
            let result = try await f.sluice(["run"])
            #expect(result.exitCode == 1)
            #expect(result.combined.contains("did not complete within run_timeout"), "\(result.combined)")
            #expect(f.ws1.downloadRequests.isEmpty)
        }
    }

    @Test func wrongCredentialsFailAtTheTokenStepWithoutShowingThem() async throws {
        try await WS1Fixture.with { f in
            f.ws1.addDownload(modifiedAt: WS1Fixture.day(1))
            let wrong = "wrong-" + UUID().uuidString
            let result = try await f.sluice(["run"], environment: ["WS1_CLIENT_SECRET": wrong])
            #expect(result.exitCode == 1)
            #expect(result.combined.contains("token"))
            #expect(!result.combined.contains(wrong))
            #expect(f.ws1.journal.requestCount == 0)
        }
    }

    @Test func replaceModeSwapsTheTableToTheNewDownload() async throws {
        try await WS1Fixture.with { f in
            try f.writeJob(target: "  mode: replace")
            f.ws1.addDownload(modifiedAt: WS1Fixture.day(1), csv: .init(rows: 9, seed: 1))
            #expect(try await f.sluice(["run"]).exitCode == 0)
            f.ws1.addDownload(modifiedAt: WS1Fixture.day(2), csv: .init(rows: 4, seed: 2))
            let result = try await f.sluice(["run"])
            #expect(result.exitCode == 0, "\(result.combined)")
            let db = try f.reader()
            #expect(db.int("SELECT count(*) FROM devices") == 4)
            #expect(db.declaredTypes("devices")["_sluice_snapshot_id"] == nil)
        }
    }

    @Test func aServiceAccountFileWorks() async throws {
        try await WS1Fixture.with { f in
            f.ws1.addDownload(modifiedAt: WS1Fixture.day(1), csv: .init(rows: 2))
            let file = f.dir.path + "/ws1-service-account.json"
            try """
            {"name":"sluice","tokenEndpoint":"\(f.url)/oauth/token","clientId":"\(WS1Fixture.clientID)",\
            "clientSecret":"\(f.secret)","authorizedGrantType":["CLIENT_CREDENTIALS"]}
            """.write(toFile: file, atomically: true, encoding: .utf8)
            _ = chmod(file, 0o600)
            try f.dir.writeJob("devices", """
                schedule: "every 1h"
                target:
                  table: devices
                source:
                  type: ws1-intelligence
                  api_base: "\(f.url)"
                  report_id: \(WS1Fixture.reportID)
                  service_account: { file: \(file) }
                """)
            let result = try await f.sluice(["run"])
            #expect(result.exitCode == 0, "\(result.combined)")
            #expect(try f.reader().int("SELECT count(*) FROM devices") == 2)
        }
    }
}
