import Foundation
import Logging
import SluiceCore
import SluiceEmulators
import SluiceHTTP
import Testing
@testable import SluiceSources

/// Each source's doctor probe in process, over real HTTP to its emulator: which requests it makes (the
/// emulators' journals), and what it says when the API refuses.
@Suite struct DoctorProbeTests {
    /// The checklist of the job `yaml`, with `environment` as the process environment.
    static func examine(_ yaml: String, environment: [String: String]) async throws -> DoctorSection {
        let job = try JobFileDecoder.decode(yaml: yaml, file: "jobs/test.yaml")
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        return try await SourceRuntime.with(secrets: SecretResolver(environment: environment), redactor: Redactor()) {
            await $0.examine(job, now: Date().timeIntervalSince1970, logger: logger)
        }
    }

    static func check(_ section: DoctorSection, _ name: String) -> DoctorCheck? {
        section.checks.first { $0.name == name }
    }

    static func text(_ section: DoctorSection) -> String { section.text(redactor: Redactor()) }

    // MARK: Power BI

    static func powerBIJob(_ url: String) -> String {
        """
        schedule: "every 1h"
        source:
          type: powerbi-activity
          authority: "\(url)"
          api_base: "\(url)/v1.0/myorg"
          tenant_id: { env: PBI_TENANT }
          client_id: { env: PBI_CLIENT }
          client_secret: { env: PBI_SECRET }
        """
    }

    static let powerBIEnvironment = ["PBI_TENANT": "t1", "PBI_CLIENT": "c1", "PBI_SECRET": "pbi-secret-1"]

    @Test func powerBISpendsExactlyOneActivityRequestOnTodaysWindow() async throws {
        let emulator = PowerBIActivityEmulator(.init(tenantID: "t1", clientID: "c1", clientSecret: "pbi-secret-1"))
        let section = try await EmulatorServer.withRunning(emulator) { url in
            try await Self.examine(Self.powerBIJob(url), environment: Self.powerBIEnvironment)
        }
        #expect(section.outcome == .pass, "\(Self.text(section))")
        #expect(emulator.journal.requestCount == 1, "\(emulator.journal.requests)")
        #expect(emulator.tokenRequests == 1)
        let request = try #require(emulator.journal.requests.first)
        let today = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
        #expect(request.queryValue("startDateTime") == "'\(today)T00:00:00.000Z'")
        #expect(section.requests == 2)
    }

    @Test(arguments: [403, 401])
    func aServicePrincipalOutsideTheAdminGroupIsToldWhichGroup(_ status: Int) async throws {
        let emulator = PowerBIActivityEmulator(.init(tenantID: "t1", clientID: "c1", clientSecret: "pbi-secret-1"))
        emulator.denyAdminAPIs(status: status)
        let section = try await EmulatorServer.withRunning(emulator) { url in
            try await Self.examine(Self.powerBIJob(url), environment: Self.powerBIEnvironment)
        }
        let check = try #require(Self.check(section, "activity events"), "\(Self.text(section))")
        #expect(check.outcome == .fail && check.detail.contains("HTTP \(status)"))
        #expect(check.fix?.hasPrefix("add the service principal to the security group allowed to use read-only admin APIs") == true)
        #expect(emulator.journal.requestCount == 1, "no second request: \(emulator.journal.requests)")
    }

    @Test func aWrongSecretIsSaidPlainlyAndTheAPIIsNotAsked() async throws {
        let emulator = PowerBIActivityEmulator(.init(tenantID: "t1", clientID: "c1", clientSecret: "pbi-secret-1"))
        var environment = Self.powerBIEnvironment
        environment["PBI_SECRET"] = "pbi-wrong-secret"
        let section = try await EmulatorServer.withRunning(emulator) { url in
            try await Self.examine(Self.powerBIJob(url), environment: environment)
        }
        let token = try #require(Self.check(section, "token"))
        #expect(token.outcome == .fail && token.detail == "Entra ID rejected the client id/secret (HTTP 401, invalid_client)",
                "\(token.detail)")
        #expect(emulator.journal.requestCount == 0)
        #expect(!Self.text(section).contains("pbi-wrong-secret"))
    }

    // MARK: Citrix

    static func citrixJob(_ url: String, entities: [String]) -> String {
        """
        schedule: "every 1h"
        source:
          type: citrix-monitor
          api_base: "\(url)"
          token_url: "\(String(url.dropLast("/monitorodata".count)))/cctrustoauth2/root/tokens/clients"
          customer_id: { env: CTX_CUSTOMER }
          client_id: { env: CTX_CLIENT }
          client_secret: { env: CTX_SECRET }
          entities:
        \(entities.map { "    - \($0)" }.joined(separator: "\n"))
        """
    }

    static func citrix() -> CitrixMonitorEmulator {
        CitrixMonitorEmulator(.init(customerID: "cust1", clientID: "ctx-client", clientSecret: "ctx-secret-1"))
    }

    @Test func citrixReadsMetadataAndOneRowOfEachEntitySet() async throws {
        let emulator = Self.citrix()
        let section = try await EmulatorServer.withRunning(emulator) { url in
            try await Self.examine(Self.citrixJob(url, entities: ["Sessions", "Machines"]),
                                   environment: ["CTX_CUSTOMER": "cust1", "CTX_CLIENT": "ctx-client", "CTX_SECRET": "ctx-secret-1"])
        }
        #expect(section.outcome == .pass, "\(Self.text(section))")
        let asked = emulator.journal.requests.map { "\($0.path)?\($0.query.map { "\($0.name)=\($0.value)" }.joined(separator: "&"))" }
        #expect(asked == ["/monitorodata/$metadata?", "/monitorodata/Sessions?$top=1", "/monitorodata/Machines?$top=1"])
        #expect(Self.check(section, "Sessions")?.detail.contains("1 row with $top=1; key SessionKey, cursor ModifiedDate") == true)
    }

    @Test func anotherCustomersIDIsRefusedByName() async throws {
        let emulator = Self.citrix()
        let section = try await EmulatorServer.withRunning(emulator) { url in
            try await Self.examine(Self.citrixJob(url, entities: ["Sessions"]),
                                   environment: ["CTX_CUSTOMER": "someone-else", "CTX_CLIENT": "ctx-client", "CTX_SECRET": "ctx-secret-1"])
        }
        let metadata = try #require(Self.check(section, "$metadata"), "\(Self.text(section))")
        #expect(metadata.outcome == .fail && metadata.detail.hasPrefix("Citrix refused the Citrix-CustomerId (HTTP 403)"))
        #expect(metadata.fix?.contains("check customer_id") == true)
    }

    @Test func anEntitySetTheServiceDoesNotHaveIsNamed() async throws {
        let emulator = Self.citrix()
        let section = try await EmulatorServer.withRunning(emulator) { url in
            try await Self.examine(Self.citrixJob(url, entities: ["Sessions", "Connections"]),
                                   environment: ["CTX_CUSTOMER": "cust1", "CTX_CLIENT": "ctx-client", "CTX_SECRET": "ctx-secret-1"])
        }
        #expect(Self.check(section, "Sessions")?.outcome == .pass)
        let missing = try #require(Self.check(section, "Connections"), "\(Self.text(section))")
        #expect(missing.outcome == .fail && missing.detail.contains("no entity set Connections (HTTP 404)"))
    }

    // MARK: WS1

    static func ws1Job(_ url: String) -> String {
        """
        schedule: "every 1h"
        source:
          type: ws1-intelligence
          api_base: "\(url)"
          token_url: "\(url)/oauth/token"
          report_id: 375c49a4-8af5-4e5e-96b4-d6b015828a33
          client_id: { env: WS1_ID }
          client_secret: { env: WS1_SECRET }
        """
    }

    static let ws1Environment = ["WS1_ID": "sluice@tenant", "WS1_SECRET": "ws1-secret-1"]

    @Test func ws1ListsTheReportAndTellsTheAgeOfTheNewestCompletedDownload() async throws {
        let emulator = WS1Emulator(.init(clientID: "sluice@tenant", clientSecret: "ws1-secret-1"))
        emulator.addDownload(modifiedAt: Date().addingTimeInterval(-3 * 3600))
        emulator.addDownload(modifiedAt: Date().addingTimeInterval(-2 * 86_400))
        emulator.addDownload(status: "PENDING", modifiedAt: Date())
        let section = try await EmulatorServer.withRunning(emulator) { url in
            try await Self.examine(Self.ws1Job(url), environment: Self.ws1Environment)
        }
        #expect(section.outcome == .pass, "\(Self.text(section))")
        #expect(Self.check(section, "download")?.detail.hasPrefix("newest COMPLETED download is 3 h old") == true,
                "\(Self.text(section))")
        #expect(emulator.downloadRequests.isEmpty, "doctor downloaded a report")
    }

    @Test(arguments: [403, 404])
    func aReportNotSharedWithTheServiceAccountGetsTheSharingFix(_ status: Int) async throws {
        let emulator = WS1Emulator(.init(clientID: "sluice@tenant", clientSecret: "ws1-secret-1"))
        emulator.addDownload(modifiedAt: Date())
        emulator.setReportUnshared(status: status)
        let section = try await EmulatorServer.withRunning(emulator) { url in
            try await Self.examine(Self.ws1Job(url), environment: Self.ws1Environment)
        }
        let report = try #require(Self.check(section, "report"), "\(Self.text(section))")
        #expect(report.outcome == .fail && report.detail.contains("HTTP \(status)"))
        #expect(report.fix?.contains("share the report with the service account") == true)
    }

    @Test func aReportWithoutCompletedDownloadFailsUnlessItIsRunOnDemand() async throws {
        let emulator = WS1Emulator(.init(clientID: "sluice@tenant", clientSecret: "ws1-secret-1"))
        emulator.addDownload(status: "PENDING", modifiedAt: Date())
        try await EmulatorServer.withRunning(emulator) { url in
            let section = try await Self.examine(Self.ws1Job(url), environment: Self.ws1Environment)
            #expect(Self.check(section, "download")?.outcome == .fail)
            let onDemand = try await Self.examine(Self.ws1Job(url) + "\n  run_report: true", environment: Self.ws1Environment)
            #expect(Self.check(onDemand, "download")?.outcome == .pass, "\(Self.text(onDemand))")
        }
    }

    // MARK: Cursor feed and the clock

    static func feedJob(_ url: String) -> String {
        """
        schedule: "every 1h"
        source:
          type: cursor-feed
          base_url: "\(url)"
          dataset: access-requests
          token: { env: FEED_TOKEN }
        """
    }

    @Test func theFeedIsAskedForOneRow() async throws {
        let feed = CursorFeedEmulator(.init(rowCount: 20, expectedToken: "feed-token-1"))
        let section = try await EmulatorServer.withRunning(feed) { url in
            try await Self.examine(Self.feedJob(url), environment: ["FEED_TOKEN": "feed-token-1"])
        }
        #expect(section.outcome == .pass, "\(Self.text(section))")
        #expect(feed.journal.requests.map { $0.queryValue("page_size") } == ["1"])
        #expect(Self.check(section, "first page")?.detail.contains("1 row, schemaVersion 1, a nextCursor follows") == true)
    }

    @Test func aWrongFeedTokenIsNamedByItsReference() async throws {
        let feed = CursorFeedEmulator(.init(rowCount: 20, expectedToken: "feed-token-1"))
        let section = try await EmulatorServer.withRunning(feed) { url in
            try await Self.examine(Self.feedJob(url), environment: ["FEED_TOKEN": "feed-token-2"])
        }
        let page = try #require(Self.check(section, "first page"))
        #expect(page.outcome == .fail && page.detail.hasSuffix("rejected the token (HTTP 401)"))
        #expect(page.fix?.contains("{env: FEED_TOKEN}") == true)
        #expect(feed.journal.requestCount == 1, "a static token is not asked twice")
    }

    @Test func aServerClockSevenMinutesAheadFailsTheClockCheck() async throws {
        let feed = CursorFeedEmulator(.init(rowCount: 20, expectedToken: "feed-token-1"))
        feed.serverClock.setOffset(.seconds(420))
        let section = try await EmulatorServer.withRunning(feed) { url in
            try await Self.examine(Self.feedJob(url), environment: ["FEED_TOKEN": "feed-token-1"])
        }
        let clock = try #require(Self.check(section, "clock"), "\(Self.text(section))")
        #expect(clock.outcome == .fail && clock.detail.contains("behind 127.0.0.1:"), "\(clock.detail)")
        #expect(Self.check(section, "first page")?.outcome == .pass)
    }

    @Test func aMissingVariableIsNamedAndNothingIsAsked() async throws {
        let feed = CursorFeedEmulator(.init(rowCount: 20, expectedToken: "feed-token-1"))
        let section = try await EmulatorServer.withRunning(feed) { url in
            try await Self.examine(Self.feedJob(url), environment: [:])
        }
        let secrets = try #require(Self.check(section, "secrets"))
        #expect(secrets.outcome == .fail && secrets.detail == "token {env: FEED_TOKEN}: environment variable FEED_TOKEN is not set")
        #expect(secrets.fix?.hasPrefix("set FEED_TOKEN") == true)
        #expect(feed.journal.requestCount == 0 && section.checks.last == secrets)
    }
}
