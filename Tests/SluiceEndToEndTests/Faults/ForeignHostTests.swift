import Foundation
import SluiceEmulators
import SluiceTestSupport
import Testing

/// Pagination links go only to the configured host (the token would go with them), redirects to
/// another host are followed without `Authorization`, oversized answers are refused with a clear error, and
/// plain `http://` to a non-loopback host is a validation error.
@Suite("foreign hosts and oversized answers")
struct ForeignHostTests {
    /// The stranger listens on 127.0.0.3: a different host from the emulators' 127.0.0.1.
    static let strangerHost = "127.0.0.3"

    static func origin(_ url: String, dropping basePath: String) -> String { String(url.dropLast(basePath.count)) }

    @Test func aCitrixNextLinkToAnotherHostIsRefusedAndTheStrangerGetsNothing() async throws {
        let stranger = CraftedServer(basePath: "/monitorodata", .body(Array("{\"value\":[]}".utf8)))
        try await EmulatorServer.withRunning(stranger, host: Self.strangerHost) { strangerURL in
            try await FaultHarness.citrix { emulator, h in
                let reference = try await h.referenceContent()
                emulator.setNextLinkOrigin(Self.origin(strangerURL, dropping: "/monitorodata"))
                let result = try await h.sluice(["run"])
                #expect(result.exitCode == 1, "\(result.combined)")
                let run = try h.lastRun()
                #expect(run.status == "failed")
                #expect(run.error.contains("job 'citrix'") && run.error.contains(Self.strangerHost), "\(run.error)")
                #expect(stranger.requests.isEmpty, "the stranger was called: \(stranger.requests)")
                #expect(try h.reader().int("SELECT count(*) FROM citrix_sessions") == 100)
                emulator.setNextLinkOrigin(nil)
                #expect(try await h.sluice(["run"]).exitCode == 0)
                #expect(try h.content() == reference)
            }
        }
    }

    @Test func aPowerBIContinuationToAnotherHostIsRefusedAndTheStrangerGetsNothing() async throws {
        let stranger = CraftedServer(basePath: "", .body(Array("{}".utf8)))
        try await EmulatorServer.withRunning(stranger, host: Self.strangerHost) { strangerURL in
            try await FaultHarness.powerBI { emulator, h in
                let reference = try await h.referenceContent()
                emulator.setContinuationBase(strangerURL)
                let result = try await h.sluice(["run"])
                #expect(result.exitCode == 1, "\(result.combined)")
                let run = try h.lastRun()
                #expect(run.status == "failed")
                #expect(run.error.contains("job 'pbi'") && run.error.contains(Self.strangerHost), "\(run.error)")
                #expect(stranger.requests.isEmpty, "the stranger was called: \(stranger.requests)")
                emulator.setContinuationBase(nil)
                #expect(try await h.sluice(["run"]).exitCode == 0)
                #expect(try h.content() == reference)
            }
        }
    }

    @Test func aRedirectToAnotherHostIsFollowedWithoutTheToken() async throws {
        let page = Array(#"{"rows":[{"id":1,"updated_at_utc":"2026-01-01T00:00:00Z","name":"a"}],"nextCursor":null,"schemaVersion":1}"#.utf8)
        let stranger = CraftedServer(.body(page))
        let redirecting = CraftedServer(.body([]))
        let dir = try TempDirectory("sluice-redirect")
        defer { dir.remove() }
        try await EmulatorServer.withRunning(stranger, host: Self.strangerHost) { strangerURL in
            redirecting.setAnswer(.redirect(origin: Self.origin(strangerURL, dropping: "/api/bi/v1")))
            try await EmulatorServer.withRunning(redirecting) { url in
                try dir.writeJob("feed", FeedFixture.jobYAML(url: url))
                let token = "tok-" + UUID().uuidString
                let h = FaultHarness(source: "cursor feed, redirect", job: "feed", dir: dir,
                                     environment: ["FEED_TOKEN": token], secrets: [token], tables: ["feed_rows"])
                let result = try await h.sluice(["run"])
                #expect(result.exitCode == 0, "\(result.combined)")
                #expect(redirecting.requests.first?.authorization == true)
                #expect(stranger.requests.count == 1, "\(stranger.requests)")
                #expect(stranger.requests.allSatisfy { !$0.authorization }, "the token went to another host")
                #expect(try h.reader().int("SELECT count(*) FROM feed_rows") == 1)
                try await h.checkNoSecrets()
            }
        }
    }

    /// 80 MiB with `Content-Length` on page 2: page 1 stays, the error says what the limit is.
    @Test func anOversizedPageIsRefusedWithAClearError() async throws {
        try await FaultHarness.cursorFeed { feed, h in
            feed.faults.oversizeResponse(toRequest: 2, megabytes: 80)
            let result = try await h.sluice(["run"])
            #expect(result.exitCode == 1, "\(result.combined.prefix(2000))")
            let run = try h.lastRun()
            #expect(run.status == "failed")
            #expect(run.error.contains("job 'feed'") && run.error.contains("page 2") && run.error.contains("larger than"),
                    "\(run.error)")
            #expect(result.combined.utf8.count < 100_000, "the junk reached the output")
            #expect(try h.reader().int("SELECT count(*) FROM feed_rows") == 50)
        }
    }

    /// 80 MiB chunked, without `Content-Length`: the limit must hold while reading, not just on the header.
    @Test func anOversizedChunkedPageWithoutLengthIsCutOffAtTheLimit() async throws {
        let server = CraftedServer(.chunked(bytes: 80 << 20))
        let dir = try TempDirectory("sluice-oversize")
        defer { dir.remove() }
        try await EmulatorServer.withRunning(server) { url in
            try dir.writeJob("feed", FeedFixture.jobYAML(url: url))
            let token = "tok-" + UUID().uuidString
            let h = FaultHarness(source: "cursor feed, chunked oversize", job: "feed", dir: dir,
                                 environment: ["FEED_TOKEN": token], secrets: [token], tables: ["feed_rows"])
            let result = try await h.sluice(["run"])
            #expect(result.exitCode == 1, "\(result.combined.prefix(2000))")
            let run = try h.lastRun()
            #expect(run.error.contains("job 'feed'") && run.error.contains("page 1") && run.error.contains("larger than"),
                    "\(run.error)")
            #expect(try h.reader().int("SELECT count(*) FROM sqlite_master WHERE name = 'feed_rows'") == 0)
            try await h.checkNoSecrets()
        }
    }

    /// Each source's URL keys, set to plain HTTP on a non-loopback host, with the line the error must name.
    static let plainHTTPJobs: [(String, Int, String)] = [
        ("cursor-feed base_url", 4, """
        schedule: "every 1h"
        source:
          type: cursor-feed
          base_url: http://feed.example.com/v1
          dataset: x
          token: { env: X }
        """),
        ("citrix api_base", 4, citrixJob(api: "http://api.cloud.example.com/monitorodata", token: "https://api.cloud.com/t")),
        ("citrix token_url", 5, citrixJob(api: "https://api.cloud.com/monitorodata", token: "http://api.cloud.example.com/t")),
        ("powerbi authority", 4, """
        schedule: "every 1h"
        source:
          type: powerbi-activity
          authority: http://login.example.com
          api_base: https://api.powerbi.com/v1.0/myorg
          tenant_id: { env: T }
          client_id: { env: I }
          client_secret: { env: S }
        """),
        ("powerbi api_base", 5, """
        schedule: "every 1h"
        source:
          type: powerbi-activity
          authority: https://login.microsoftonline.com
          api_base: http://api.powerbi.example.com/v1.0/myorg
          tenant_id: { env: T }
          client_id: { env: I }
          client_secret: { env: S }
        """),
        ("ws1 api_base", 4, ws1Job(api: "http://api.na1.example.com", token: "https://auth.na1.example.com/oauth/token")),
        ("ws1 token_url", 5, ws1Job(api: "https://api.na1.example.com", token: "http://auth.na1.example.com/oauth/token")),
    ]

    static func citrixJob(api: String, token: String) -> String {
        """
        schedule: "every 1h"
        source:
          type: citrix-monitor
          api_base: \(api)
          token_url: \(token)
          customer_id: { env: C }
          client_id: { env: I }
          client_secret: { env: S }
        """
    }

    static func ws1Job(api: String, token: String) -> String {
        """
        schedule: "every 1h"
        source:
          type: ws1-intelligence
          api_base: \(api)
          token_url: \(token)
          report_id: 375c49a4-8af5-4e5e-96b4-d6b015828a33
          client_id: { env: I }
          client_secret: { env: S }
        """
    }

    @Test(arguments: 0..<plainHTTPJobs.count)
    func plainHTTPToANonLoopbackHostIsRefusedAtValidation(_ index: Int) async throws {
        let (label, line, yaml) = Self.plainHTTPJobs[index]
        let dir = try TempDirectory("sluice-plain")
        defer { dir.remove() }
        try dir.writeJob("plain", yaml)
        let result = try await SluiceProcess.run(["validate", "--jobs", dir.jobs], in: dir.path)
        #expect(result.exitCode == 2, "\(label): \(result.combined)")
        #expect(result.stderr.contains("plain.yaml:\(line)"), "\(label): \(result.stderr)")
        // The same file is refused by `run` too, before any request.
        let run = try await SluiceProcess.run(["run", "--jobs", dir.jobs, "--warehouse", dir.warehouse], in: dir.path)
        #expect(run.exitCode == 2, "\(label): \(run.combined)")
    }
}
