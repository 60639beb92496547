import Foundation
import SluiceEmulators
import SluiceTestSupport

/// All four source emulators on loopback (WS1's storage on 127.0.0.2), a job file for each, and the secrets
/// they reference: what `sluice doctor` examines end to end.
struct DoctorFixture {
    let feed: CursorFeedEmulator
    let citrix: CitrixMonitorEmulator
    let powerBI: PowerBIActivityEmulator
    let ws1: WS1Emulator
    let dir: TempDirectory
    /// Every secret value configured; none may be printed.
    let secrets: [String: String]
    /// The four jobs, by name.
    static let jobs = ["citrix", "feed", "pbi", "ws1"]

    /// The environment the job files read.
    var environment: [String: String] {
        ["FEED_TOKEN": secrets["feed"]!, "CITRIX_CUSTOMER": "cust-doctor", "CITRIX_CLIENT_ID": "client-doctor",
         "CITRIX_CLIENT_SECRET": secrets["citrix"]!, "PBI_TENANT_ID": "tenant-doctor", "PBI_CLIENT_ID": "pbi-client",
         "PBI_CLIENT_SECRET": secrets["pbi"]!, "WS1_CLIENT_ID": "sluice@tenant.data.workspaceone.com",
         "WS1_CLIENT_SECRET": secrets["ws1"]!]
    }

    /// A harness over this folder whose runs of the binary use `environment` changed by `change`; its
    /// `checkNoSecrets()` greps everything those runs printed for every configured secret.
    func harness(_ change: (inout [String: String]) -> Void = { _ in }) -> FaultHarness {
        var env = environment
        change(&env)
        return FaultHarness(source: "doctor", job: "ws1", dir: dir, environment: env, secrets: Array(secrets.values),
                            tables: [])
    }

    /// The block of `text` output that starts with `heading` (up to the next blank line).
    static func section(_ heading: String, in output: String) -> String {
        output.components(separatedBy: "\n\n").first { $0.hasPrefix(heading) } ?? ""
    }

    /// The check line `name` of a section block, with the fix line under it when there is one.
    static func line(_ name: String, in block: String) -> String {
        let lines = block.split(separator: "\n").map(String.init)
        guard let index = lines.firstIndex(where: { $0.dropFirst(4).hasPrefix(name + " ") }) else { return "" }
        let next = index + 1 < lines.count && lines[index + 1].trimmingCharacters(in: .whitespaces).hasPrefix("→")
        return next ? lines[index] + "\n" + lines[index + 1] : lines[index]
    }

    static func with<T>(_ body: (DoctorFixture) async throws -> T) async throws -> T {
        let secrets = ["feed": "feed-" + UUID().uuidString, "citrix": "citrix-" + UUID().uuidString,
                       "pbi": "pbi-" + UUID().uuidString, "ws1": "ws1-" + UUID().uuidString]
        let feed = CursorFeedEmulator(.init(rowCount: 30, expectedToken: secrets["feed"]))
        let citrix = CitrixMonitorEmulator(.init(customerID: "cust-doctor", clientID: "client-doctor",
                                                 clientSecret: secrets["citrix"]!,
                                                 rowCounts: ["Sessions": 40, "Machines": 10],
                                                 anchor: Date().addingTimeInterval(-120)))
        let powerBI = PowerBIActivityEmulator(.init(tenantID: "tenant-doctor", clientID: "pbi-client",
                                                    clientSecret: secrets["pbi"]!, dayCount: 2, eventsPerDay: 20,
                                                    pageSize: 20))
        let ws1 = WS1Emulator(.init(clientID: "sluice@tenant.data.workspaceone.com", clientSecret: secrets["ws1"]!))
        ws1.addDownload(modifiedAt: Date().addingTimeInterval(-3600), csv: .init(rows: 20, seed: 1))
        let dir = try TempDirectory("sluice-doctor")
        defer { dir.remove() }
        return try await EmulatorServer.withRunning(ws1.storage, host: "127.0.0.2") { storageURL in
            ws1.setStorageURL(storageURL)
            return try await EmulatorServer.withRunning([feed, citrix, powerBI, ws1]) { urls in
                try dir.writeJob("feed", FeedJobFile.yaml(url: urls[0]))
                try dir.writeJob("citrix", """
                    schedule: "every 1h"
                    source:
                      type: citrix-monitor
                      api_base: "\(urls[1])"
                      token_url: "\(CitrixMonitorEmulator.tokenURL(forAPIBase: urls[1]))"
                      customer_id: { env: CITRIX_CUSTOMER }
                      client_id: { env: CITRIX_CLIENT_ID }
                      client_secret: { env: CITRIX_CLIENT_SECRET }
                      entities: [Sessions, Machines]
                    """)
                try dir.writeJob("pbi", PowerBIFixture.jobYAML(url: urls[2]))
                try dir.writeJob("ws1", WS1Fixture.jobYAML(url: urls[3]).replacingOccurrences(of: "table: devices",
                                                                                               with: "table: ws1_devices"))
                return try await body(DoctorFixture(feed: feed, citrix: citrix, powerBI: powerBI, ws1: ws1, dir: dir,
                                                    secrets: secrets))
            }
        }
    }
}
