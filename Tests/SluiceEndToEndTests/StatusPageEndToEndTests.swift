import Foundation
import Glibc
import SluiceEmulators
import SluiceTestSupport
import Testing

/// The daemon's status page and `/api/status`, fetched over HTTP and rendered by a real browser: every job with
/// its mark, outside text escaped, broken job files listed, `/api/status` equal to `sluice status --json`, and no
/// secret anywhere.
@Suite("status page, end to end")
struct StatusPageEndToEndTests {
    /// An API error body that quotes markup and quotes.
    static let hostile = #"<script>alert(1)</script> it's "quoted""#

    @Test func thePageTheAPIAndTheBrowserShowEveryJobWithOutsideTextEscaped() async throws {
        try await FeedFixture.with { f in
            var configuration = CursorFeedEmulator.Configuration()
            configuration.expectedToken = f.token
            let rejecting = CursorFeedEmulator(configuration)
            rejecting.faults.failNextRequests(1_000, status: 400, message: Self.hostile)
            try await EmulatorServer.withRunning(rejecting) { rejectingURL in
                try f.dir.writeJob("rejected", FeedJobFile.yaml(url: rejectingURL)
                    .replacingOccurrences(of: "table: feed_rows", with: "table: rejected_rows"))
                try f.dir.writeJob("broken", "schedule: \"every 1h\"\ntokn: nope\n")
                let daemon = try DaemonUnderTest.start(f, ["--metrics", "127.0.0.1:0"])
                let ran = try await eventually(within: 60) {
                    daemon.statuses("feed").last == "succeeded" && daemon.statuses("rejected").last == "failed"
                }
                #expect(ran, "\(daemon.log)")
                let port = try #require(daemon.metricsPort, "\(daemon.log)")

                let page = try #require(HTTPAnswer(rawHTTPGet(port: port, path: "/")), "no answer on /")
                #expect(page.status == 200)
                #expect(page.header("content-type")?.hasPrefix("text/html") == true, "\(page.head)")
                let policy = try #require(page.header("content-security-policy"), "\(page.head)")
                #expect(policy.hasPrefix("default-src 'none'"))
                #expect(!page.body.lowercased().contains("<script"))
                #expect(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt; it&#39;s"), "\(page.body)")
                for text in ["id=\"job-feed\"", "id=\"job-rejected\"", "m-failed", "m-succeeded", "broken.yaml",
                             "unknown key &#39;tokn&#39;", "coverage"] {
                    #expect(page.body.contains(text), "\(text)")
                }

                // /api/status is `sluice status --json`, point for point (lag and gap lengths move with the clock).
                let api = try #require(HTTPAnswer(rawHTTPGet(port: port, path: "/api/status")), "no answer on /api/status")
                #expect(api.status == 200)
                #expect(api.header("content-type")?.hasPrefix("application/json") == true, "\(api.head)")
                let cli = try await f.sluice(["status", "--json"])
                #expect(cli.exitCode == 1, "a failing job and a broken file need attention: \(cli.combined)")
                let fromAPI = try Self.comparable(api.body)
                let fromCLI = try Self.comparable(cli.stdout)
                #expect(fromAPI == fromCLI, "api: \(api.body)\ncli: \(cli.stdout)")
                let broken = (fromAPI["broken_files"] as? [[String: Any]])?.compactMap { $0["file"] as? String } ?? []
                #expect(broken.count == 2 && broken.allSatisfy { $0.hasSuffix("/broken.yaml") }, "\(api.body)")

                // The browser: the DOM it built, and what a person sees.
                if let browser = HeadlessChromium.find() {
                    let url = "http://127.0.0.1:\(port)/"
                    let dom = try await browser.dumpDOM(url, profile: f.dir.path + "/browser")
                    #expect(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt; it's"), "\(dom.prefix(3000))")
                    #expect(!dom.lowercased().contains("<script"))
                    for text in ["feed", "rejected", "failed", "succeeded", "job files with problems", "broken.yaml"] {
                        #expect(dom.contains(text), "\(text) not in the DOM")
                    }
                    #expect(!dom.contains(f.token))
                    let artifacts = FileManager.default.temporaryDirectory.path + "/sluice-test-artifacts"
                    try FileManager.default.createDirectory(atPath: artifacts, withIntermediateDirectories: true)
                    for (name, width, height) in [("status-page.png", 1280, 1400), ("status-page-phone.png", 390, 1600)] {
                        let shot = artifacts + "/" + name
                        try? FileManager.default.removeItem(atPath: shot)
                        try await browser.screenshot(url, to: shot, width: width, height: height,
                                                     profile: f.dir.path + "/browser")
                        let png = try Data(contentsOf: URL(fileURLWithPath: shot))
                        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(shot) is not a PNG")
                        #expect(png.count > 20_000, "\(shot) is \(png.count) bytes: a blank page?")
                        print("status page screenshot: \(shot)")
                    }
                }

                let result = try await daemon.terminate()
                #expect(result.exitCode == 0, "\(result.stderr)")
                for text in [page.body, api.body, result.combined] { #expect(!text.contains(f.token)) }
            }
        }
    }

    /// The JSON with the fields that move with the clock removed.
    static func comparable(_ text: String) throws -> NSDictionary {
        func strip(_ value: Any) -> Any {
            if let object = value as? [String: Any] {
                var kept: [String: Any] = [:]
                for (key, inner) in object where key != "lag_seconds" && key != "gap_seconds" { kept[key] = strip(inner) }
                return kept
            }
            if let array = value as? [Any] { return array.map(strip) }
            return value
        }
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(strip(parsed) as? [String: Any]) as NSDictionary
    }
}

/// An HTTP/1.x answer split into status, headers and body.
struct HTTPAnswer {
    let head: String
    let body: String
    let status: Int

    init?(_ raw: String?) {
        guard let raw, let split = raw.range(of: "\r\n\r\n") else { return nil }
        head = String(raw[..<split.lowerBound])
        body = String(raw[split.upperBound...])
        let first = head.split(separator: "\r\n").first.map(String.init) ?? ""
        status = Int(first.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    /// The first value of header `name` (case-insensitive).
    func header(_ name: String) -> String? {
        for line in head.split(separator: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].lowercased() == name.lowercased() {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }
}
