import Foundation
import SluiceEmulators
import SluiceTestSupport
import Testing

/// What a hostile or broken server (or a proxy in front of it) sends, through the binary: the run fails with a
/// message that says what happened, nothing is committed past the damage, no secret follows a redirect, and
/// above all the process never traps (a trap is exit 132/133/134, which would take every job of a daemon down).
@Suite("hostile servers", .serialized)
struct HostileServerTests {
    /// The exit code of a run that failed cleanly; anything else (a signal) is a crash.
    static func expectCleanFailure(_ result: SluiceProcess.Result, _ context: String) {
        #expect(result.exitCode == 1, "\(context): exit \(result.exitCode): \(result.combined)")
    }

    @Test(arguments: ["99999999999999999999", String(repeating: "9", count: 400), "Sun Nov  6 08:49:37 99999999999999"])
    func anAbsurdRetryAfterEndsTheRunWithoutACrash(_ value: String) async throws {
        try await FaultHarness.cursorFeed { feed, h in
            feed.faults.failRequest(1, status: 429, retryAfter: value)
            let result = try await h.sluice(["run"])
            let run = try h.lastRun()
            if value.hasPrefix("Sun") {
                // Not a date at all: the ordinary backoff retries, and the run gets its data.
                #expect(result.exitCode == 0 && run.status == "succeeded", "\(result.combined)")
            } else {
                Self.expectCleanFailure(result, value)
                #expect(run.status == "failed" && run.error.contains("asked to retry after"), "\(run.error)")
            }
        }
    }

    @Test func aDownloadsListClaimingTheLargestOffsetEndsTheList() async throws {
        try await FaultHarness.ws1 { emulator, h in
            emulator.addDownload(modifiedAt: WS1Fixture.day(1), csv: .init(rows: 30, seed: 1))
            emulator.setReflectedOffset(Int64.max)
            let result = try await h.sluice(["run"])
            #expect(result.exitCode == 0, "\(result.combined)")
            #expect(try h.reader().int("SELECT count(*) FROM devices") == 30)
        }
    }

    @Test func aTokenEndpointThatRedirectsNeverGetsTheSecretSentOn() async throws {
        let stranger = CraftedServer(.body(Array(#"{"access_token":"x","expires_in":3600}"#.utf8)))
        let redirecting = CraftedServer(.body([]))
        try await EmulatorServer.withRunning(stranger, host: "127.0.0.2") { strangerURL in
          try await EmulatorServer.withRunning(redirecting) { redirectingURL in
            redirecting.setAnswer(.redirect(origin: Self.origin(strangerURL), status: 307))
            try await PowerBIFixture.with { f in
                let yaml = PowerBIFixture.jobYAML(url: f.url).replacingOccurrences(
                    of: "authority: \"\(f.url)\"", with: "authority: \"\(Self.origin(redirectingURL))\"")
                try f.dir.writeJob("pbi", yaml)
                let result = try await f.sluice(["run"])
                Self.expectCleanFailure(result, "307 from the token endpoint")
                #expect(result.stderr.contains("never redirected"), "\(result.stderr)")
                #expect(!result.combined.contains(f.secret))
                #expect(stranger.requests.isEmpty, "the redirect was followed: \(stranger.requests)")
            }
          }
        }
    }

    /// `http://host:port` of an emulator URL.
    static func origin(_ url: String) -> String {
        let parts = url.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        return parts.prefix(3).joined(separator: "/")
    }

    @Test func citrixHeadersStayOnTheirOriginWhenAPageIsRedirected() async throws {
        let stranger = CraftedServer(.body(Array(#"{"value":[]}"#.utf8)))
        try await EmulatorServer.withRunning(stranger, host: "127.0.0.2") { strangerURL in
            try await FaultHarness.citrix(rows: 30) { emulator, h in
                // Request 1 is $metadata; request 2 is the first page of Sessions.
                emulator.redirect(onRequest: 2, to: Self.origin(strangerURL))
                _ = try await h.sluice(["run"])
                #expect(!stranger.requests.isEmpty, "the test needs the redirect to be followed")
                for seen in stranger.requests {
                    #expect(!seen.headerNames.contains("citrix-customerid"), "\(seen)")
                    #expect(!seen.authorization, "\(seen)")
                    #expect(seen.headerNames.isSubset(of: ["accept", "user-agent", "host", "connection", "content-length"]),
                            "\(seen)")
                }
            }
        }
    }

    @Test func aStorageDenialEchoingTheSignatureIsRedactedEverywhere() async throws {
        try await FaultHarness.ws1 { emulator, h in
            let id = emulator.addDownload(modifiedAt: WS1Fixture.day(1), csv: .init(rows: 10, seed: 1))
            emulator.storage.setMisbehaviour(.denyEchoingSignature)
            let result = try await h.sluice(["run"])
            Self.expectCleanFailure(result, "storage 403")
            let run = try h.lastRun()
            #expect(run.error.contains("403") && run.error.contains("AccessDenied"), "\(run.error)")
            let signature = WS1StorageEmulator.signature(forDownload: id)
            #expect(!run.error.contains(signature), "\(run.error)")
            #expect(!result.combined.contains(signature), "\(result.combined)")
            let status = try await h.sluice(["status", "--json"])
            #expect(!status.stdout.contains(signature))
        }
    }

    @Test func aQuotedFieldThatNeverClosesFailsAtTheRecordCap() async throws {
        try await FaultHarness.ws1 { emulator, h in
            let file = h.dir.path + "/unclosed.csv"
            var body = Data("device_udid,note\r\n1,fine\r\n2,\"".utf8)
            body.append(Data(repeating: UInt8(ascii: "x"), count: 17 * 1_048_576))
            try body.write(to: URL(fileURLWithPath: file))
            emulator.addDownload(modifiedAt: WS1Fixture.day(1), csv: .file(file))
            let result = try await h.sluice(["run"])
            Self.expectCleanFailure(result, "unclosed quote")
            let run = try h.lastRun()
            #expect(run.error.contains("row 2") && run.error.contains("longer than 16 MiB"), "\(run.error)")
            #expect(try h.reader().int("SELECT count(*) FROM sqlite_master WHERE name = 'devices'") == 0
                    || h.reader().int("SELECT count(*) FROM devices") == 0)
        }
    }

    @Test func aHeaderOfThirtyThousandEqualNamesIsRefusedAtOnce() async throws {
        try await FaultHarness.ws1 { emulator, h in
            let file = h.dir.path + "/wide.csv"
            let header = Array(repeating: "Name", count: 30_000).joined(separator: ",")
            let row = Array(repeating: "x", count: 30_000).joined(separator: ",")
            try Data((header + "\r\n" + row + "\r\n").utf8).write(to: URL(fileURLWithPath: file))
            emulator.addDownload(modifiedAt: WS1Fixture.day(1), csv: .file(file))
            let result = try await h.sluice(["run"], timeout: 60)
            Self.expectCleanFailure(result, "30,000 columns")
            let error = try h.lastRun().error
            #expect(error.contains("more than 4096 fields"), "\(error)")
        }
    }

    @Test func aPageOfTinyObjectsIsRefusedNotInflated() async throws {
        var page = Array(#"{"rows":["#.utf8)
        let object = Array(#"{"a":1},"#.utf8)
        for _ in 0..<2_600_000 { page += object }
        page.removeLast()
        page += Array(#"],"nextCursor":null,"schemaVersion":1}"#.utf8)
        let server = CraftedServer(.body(page))
        let dir = try TempDirectory("sluice-hostile")
        defer { dir.remove() }
        try await EmulatorServer.withRunning(server) { url in
            try dir.writeJob("feed", FeedFixture.jobYAML(url: url))
            let h = FaultHarness(source: "cursor feed", job: "feed", dir: dir, environment: ["FEED_TOKEN": "tok-1234"],
                                 secrets: [], tables: ["feed_rows"])
            let result = try await h.sluice(["run"])
            Self.expectCleanFailure(result, "tiny objects")
            let error = try h.lastRun().error
            #expect(error.contains("more than 256 MiB in memory"), "\(error)")
        }
    }

    @Test func aCursorThatNeverChangesStopsTheRun() async throws {
        let page = Array(#"{"rows":[{"id":1,"updated_at_utc":"2026-01-01T00:00:00Z"}],"nextCursor":"same","schemaVersion":1}"#.utf8)
        let server = CraftedServer(.body(page))
        let dir = try TempDirectory("sluice-hostile")
        defer { dir.remove() }
        try await EmulatorServer.withRunning(server) { url in
            try dir.writeJob("feed", FeedFixture.jobYAML(url: url))
            let h = FaultHarness(source: "cursor feed", job: "feed", dir: dir, environment: ["FEED_TOKEN": "tok-1234"],
                                 secrets: [], tables: ["feed_rows"])
            let result = try await h.sluice(["run"], timeout: 30)
            Self.expectCleanFailure(result, "constant cursor")
            let error = try h.lastRun().error
            #expect(error.contains("nextCursor it had already given"), "\(error)")
            #expect(server.requests.count == 2, "\(server.requests.count) requests for one page")
        }
    }

    @Test func aStorageHostThatTricklesIsCutOffByTheMinimumRate() async throws {
        try await FaultHarness.ws1 { emulator, h in
            emulator.addDownload(modifiedAt: WS1Fixture.day(1), csv: .init(rows: 200, seed: 1))
            emulator.storage.setMisbehaviour(.trickle(bytes: 10, interval: .milliseconds(200)))
            try h.dir.writeJob("devices", WS1Fixture.jobYAML(url: h.url, source: "http:\n  min_transfer_rate: 1KB/2s"))
            let result = try await h.sluice(["run"], timeout: 60)
            Self.expectCleanFailure(result, "trickle")
            let error = try h.lastRun().error
            #expect(error.contains("below http.min_transfer_rate"), "\(error)")
        }
    }

    @Test func aRunPastItsDeadlineIsStoppedAndSaysSo() async throws {
        try await FaultHarness.cursorFeed(rows: 100, pageSize: 10) { feed, h in
            feed.faults.setDelay(.milliseconds(700))
            try h.dir.writeJob("feed", FeedFixture.jobYAML(url: h.url, pageSize: 10, extra: "max_run_time: 2s"))
            let result = try await h.sluice(["run"], timeout: 60)
            Self.expectCleanFailure(result, "deadline")
            let run = try h.lastRun()
            #expect(run.status == "failed" && run.error.contains("longer than max_run_time (2s)"), "\(run.error)")
            // The pages committed before the deadline stay, with their watermark.
            #expect(try h.reader().int("SELECT count(*) FROM feed_rows") > 0)
        }
    }

    @Test func aFailedSnapshotLoadCountsNoRows() async throws {
        try await FaultHarness.ws1 { emulator, h in
            emulator.addDownload(modifiedAt: WS1Fixture.day(1),
                                 csv: .init(rows: 12_000, seed: 2, fault: .wrongFieldCount(row: 11_000)))
            let result = try await h.sluice(["run"])
            Self.expectCleanFailure(result, "bad row")
            let db = try h.reader()
            #expect(db.scalar("SELECT rows_written FROM sluice_runs ORDER BY run_id DESC LIMIT 1") == "0")
            #expect(!result.stderr.contains("loaded download"), "\(result.stderr)")
        }
    }

    @Test func controlCharactersFromTheServerAreEscapedInLogsAndStatus() async throws {
        try await FaultHarness.citrix(rows: 30) { emulator, h in
            emulator.odataError(onRequest: 2, message: "bad\nFAKE 2026-01-01T00:00:00Z info run succeeded\u{1B}[2J")
            let result = try await h.sluice(["run"])
            Self.expectCleanFailure(result, "OData error")
            #expect(!result.stderr.contains("\u{1B}"), "an escape sequence reached the terminal")
            #expect(!result.stderr.split(separator: "\n").contains { $0.hasPrefix("FAKE") }, "\(result.stderr)")
            #expect(result.stderr.contains("bad\\nFAKE"), "\(result.stderr)")
            let status = try await h.sluice(["status"])
            #expect(!status.stdout.contains("\u{1B}") && status.stdout.contains("bad\\nFAKE"), "\(status.stdout)")
        }
    }
}
