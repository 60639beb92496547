import Foundation
import SluiceEmulators
import SluiceTestSupport

/// A Power BI activity emulator on loopback plus a temp folder with a job file pointing at it.
///
/// The emulator's events cover the last three UTC days up to the wall clock, and the job reads four days back
/// on its first run, so a complete pull is exactly `emulator.eventCount` events.
struct PowerBIFixture {
    let emulator: PowerBIActivityEmulator
    let url: String
    let dir: TempDirectory
    let secret: String

    static let tenant = "contoso-tenant"
    static let clientID = "sluice-client"

    /// Environment for the binary: the variables the job file references.
    var environment: [String: String] {
        ["PBI_TENANT_ID": Self.tenant, "PBI_CLIENT_ID": Self.clientID, "PBI_CLIENT_SECRET": secret]
    }

    /// Runs `sluice args… --jobs <dir>/jobs --warehouse <dir>/warehouse.db`.
    func sluice(_ args: [String], timeout: Double = 120) async throws -> SluiceProcess.Result {
        try await SluiceProcess.run(args + ["--jobs", dir.jobs, "--warehouse", dir.warehouse], in: dir.path,
                                    environment: environment, timeout: timeout)
    }

    func reader() throws -> WarehouseReader { try WarehouseReader(dir.warehouse) }

    /// The live checkpoint of the job.
    func checkpoint() throws -> String? {
        try reader().scalar("SELECT value FROM sluice_state WHERE job = 'pbi' AND key = 'window_done_through'")
    }

    /// The job file `pbi.yaml`.
    static func jobYAML(url: String, extra: String = "") -> String {
        """
        schedule: "every 1h"
        target:
          table: pbi_events
        source:
          type: powerbi-activity
          authority: "\(url)"
          api_base: "\(url)/v1.0/myorg"
          tenant_id: { env: PBI_TENANT_ID }
          client_id: { env: PBI_CLIENT_ID }
          client_secret: { env: PBI_CLIENT_SECRET }
          initial_lookback: 4d
          late_arrival: 1h
        \(extra)
        """
    }

    /// Starts an emulator (adjusted by `configure`), writes `pbi.yaml`, runs `body`, then removes everything.
    static func with<T>(configure: (inout PowerBIActivityEmulator.Configuration) -> Void = { _ in },
                        extra: String = "", _ body: (PowerBIFixture) async throws -> T) async throws -> T {
        let secret = "pbi-secret-" + UUID().uuidString
        var configuration = PowerBIActivityEmulator.Configuration(tenantID: tenant, clientID: clientID, clientSecret: secret)
        configure(&configuration)
        let emulator = PowerBIActivityEmulator(configuration)
        let dir = try TempDirectory()
        defer { dir.remove() }
        return try await EmulatorServer.withRunning(emulator) { url in
            try dir.writeJob("pbi", jobYAML(url: url, extra: extra))
            return try await body(PowerBIFixture(emulator: emulator, url: url, dir: dir, secret: secret))
        }
    }

    /// `YYYY-MM-DD` of the UTC day `days` before today.
    static func utcDay(daysAgo days: Int) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date().addingTimeInterval(-Double(days) * 86_400))
    }
}
