import Foundation
import SluiceEmulators
import SluiceTestSupport

/// A Citrix Monitor emulator on loopback plus a temp folder with job files pointing at it.
struct CitrixFixture {
    let emulator: CitrixMonitorEmulator
    let apiBase: String
    let dir: TempDirectory
    let secret: String

    static let customer = "cust-e2e"

    var environment: [String: String] {
        ["CITRIX_CUSTOMER": Self.customer, "CITRIX_CLIENT_ID": "client-e2e", "CITRIX_CLIENT_SECRET": secret]
    }

    /// Runs `sluice args… --jobs <dir>/jobs --warehouse <dir>/warehouse.db`.
    func sluice(_ args: [String], timeout: Double = 120) async throws -> SluiceProcess.Result {
        try await SluiceProcess.run(args + ["--jobs", dir.jobs, "--warehouse", dir.warehouse], in: dir.path,
                                    environment: environment, timeout: timeout)
    }

    func reader() throws -> WarehouseReader { try WarehouseReader(dir.warehouse) }

    /// A job file reading `entities` (YAML list items) from the emulator.
    func jobYAML(entities: [String], window: String = "1d", lookback: String = "1h") -> String {
        """
        schedule: "every 1h"
        source:
          type: citrix-monitor
          api_base: "\(apiBase)"
          token_url: "\(CitrixMonitorEmulator.tokenURL(forAPIBase: apiBase))"
          customer_id: { env: CITRIX_CUSTOMER }
          client_id: { env: CITRIX_CLIENT_ID }
          client_secret: { env: CITRIX_CLIENT_SECRET }
          entities:
        \(entities.map { "    - \($0)" }.joined(separator: "\n"))
          initial_lookback: 7d
          lookback: \(lookback)
          window: \(window)

        """
    }

    /// The newest emulated row sits two minutes before the test starts, older rows ten minutes apart, so a
    /// first run (7 days back) sees every row and the binary's clock needs no faking.
    static func with<T>(rowCounts: [String: Int] = ["Sessions": 300, "Machines": 40, "Users": 120],
                        holdTime: Duration = .milliseconds(5),
                        _ body: (CitrixFixture) async throws -> T) async throws -> T {
        let secret = "citrix-secret-" + UUID().uuidString
        let emulator = CitrixMonitorEmulator(.init(customerID: customer, clientID: "client-e2e", clientSecret: secret,
                                                   rowCounts: rowCounts, anchor: Date().addingTimeInterval(-120),
                                                   holdTime: holdTime))
        let dir = try TempDirectory("sluice-citrix")
        defer { dir.remove() }
        return try await EmulatorServer.withRunning(emulator) { url in
            try await body(CitrixFixture(emulator: emulator, apiBase: url, dir: dir, secret: secret))
        }
    }

    /// ISO text `seconds` before the instant `text`, floored to whole seconds (what the source sends).
    static func iso(_ text: String, minus seconds: Double) -> String? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        guard let date = formatter.date(from: text) ?? plain.date(from: text) else { return nil }
        let t = (date.timeIntervalSince1970 - seconds).rounded(.down)
        return plain.string(from: Date(timeIntervalSince1970: t))
    }
}
