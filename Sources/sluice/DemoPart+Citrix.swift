import Foundation
import SluiceCore
import SluiceEmulators

extension DemoPart {
    /// Citrix Monitor OData: five entity sets over the last two days, paged 100 rows at a time.
    static func citrix() -> DemoPart {
        let secret = "demo-citrix-" + UUID().uuidString
        Redactor.shared.register(secret)
        let emulator = CitrixMonitorEmulator(.init(customerID: "demo-customer", clientID: "demo-client",
                                                   clientSecret: secret, anchor: Date().addingTimeInterval(-60)))
        return DemoPart(
            emulators: [emulator],
            jobFiles: [("demo-citrix.yaml", demoCitrixYAML)],
            environment: ["SLUICE_DEMO_CITRIX_CUSTOMER": "demo-customer", "SLUICE_DEMO_CITRIX_CLIENT_ID": "demo-client",
                          "SLUICE_DEMO_CITRIX_CLIENT_SECRET": secret],
            placeholders: { urls in
                ["CITRIX_API": urls[0], "CITRIX_TOKEN_URL": CitrixMonitorEmulator.tokenURL(forAPIBase: urls[0])]
            },
            exampleQuery: "SELECT session_key, connection_state, log_on_duration, modified_date FROM citrix_sessions "
                + "ORDER BY modified_date DESC LIMIT 5;")
    }

    /// `jobs/demo/demo-citrix.yaml`, byte for byte (a test keeps the two in step).
    static let demoCitrixYAML = """
    # Demo job for `sluice demo`: the Citrix DaaS Monitor OData emulator (sessions, machines, users, metrics).
    # `sluice demo` replaces @@CITRIX_API@@ and @@CITRIX_TOKEN_URL@@ with the emulator's loopback addresses
    # and sets the three variables.
    schedule: "every 15m"
    source:
      type: citrix-monitor
      api_base: "@@CITRIX_API@@"
      token_url: "@@CITRIX_TOKEN_URL@@"
      customer_id: { env: SLUICE_DEMO_CITRIX_CUSTOMER }
      client_id: { env: SLUICE_DEMO_CITRIX_CLIENT_ID }
      client_secret: { env: SLUICE_DEMO_CITRIX_CLIENT_SECRET }
      entities:
        - Sessions
        - Machines
        - Users
        - SessionMetrics
        - ResourceUtilizationSummary
      initial_lookback: 7d
      lookback: 1h
      window: 1d

    """
}
