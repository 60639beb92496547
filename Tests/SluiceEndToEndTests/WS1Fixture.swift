import Foundation
import SluiceEmulators
import SluiceTestSupport

/// The WS1 emulator on 127.0.0.1, its storage on 127.0.0.2, and a temp folder with a job file pointing at them.
struct WS1Fixture {
    let ws1: WS1Emulator
    let url: String
    let dir: TempDirectory
    let secret: String

    static let clientID = "sluice@tenant.data.workspaceone.com"
    static let reportID = "375c49a4-8af5-4e5e-96b4-d6b015828a33"

    var environment: [String: String] { ["WS1_CLIENT_ID": Self.clientID, "WS1_CLIENT_SECRET": secret] }

    /// Runs `sluice args… --jobs <dir>/jobs --warehouse <dir>/warehouse.db`.
    func sluice(_ args: [String], environment extra: [String: String] = [:], timeout: Double = 120) async throws
        -> SluiceProcess.Result {
        var env = environment
        for (k, v) in extra { env[k] = v }
        return try await SluiceProcess.run(args + ["--jobs", dir.jobs, "--warehouse", dir.warehouse], in: dir.path,
                                           environment: env, timeout: timeout)
    }

    func reader() throws -> WarehouseReader { try WarehouseReader(dir.warehouse) }

    /// Rewrites `devices.yaml` with extra source or target lines.
    func writeJob(source extra: String = "", target: String = "") throws {
        try dir.writeJob("devices", Self.jobYAML(url: url, source: extra, target: target))
    }

    static func jobYAML(url: String, source extra: String = "", target: String = "") -> String {
        """
        schedule: "every 1h"
        target:
          table: devices
        \(target)
        source:
          type: ws1-intelligence
          api_base: "\(url)"
          token_url: "\(url)/oauth/token"
          report_id: \(reportID)
          client_id: { env: WS1_CLIENT_ID }
          client_secret: { env: WS1_CLIENT_SECRET }
          page_size: 2
        \(extra)
        """
    }

    /// A UTC instant `days` after 2026-03-01 plus `hours`.
    static func day(_ days: Int, hours: Int = 12) -> Date {
        Date(timeIntervalSince1970: 1_772_323_200 + Double(days * 86_400 + hours * 3600))
    }

    /// Starts storage (127.0.0.2) and API (127.0.0.1), writes the job, runs `body`, then removes everything.
    static func with<T>(completeAfterPolls: Int = 2, _ body: (WS1Fixture) async throws -> T) async throws -> T {
        let secret = "ws1-secret-" + UUID().uuidString
        let ws1 = WS1Emulator(.init(reportID: reportID, clientID: clientID, clientSecret: secret,
                                    completeAfterPolls: completeAfterPolls))
        let dir = try TempDirectory("sluice-ws1")
        defer { dir.remove() }
        return try await EmulatorServer.withRunning(ws1.storage, host: "127.0.0.2") { storageURL in
            ws1.setStorageURL(storageURL)
            return try await EmulatorServer.withRunning(ws1) { url in
                try dir.writeJob("devices", jobYAML(url: url))
                return try await body(WS1Fixture(ws1: ws1, url: url, dir: dir, secret: secret))
            }
        }
    }
}
