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
            templateOrigins: ["http://127.0.0.1:18402"],
            secrets: ["demo_citrix_customer_id": "demo-customer", "demo_citrix_client_id": "demo-client",
                      "demo_citrix_client_secret": secret],
            exampleQuery: "SELECT session_key, connection_state, logon_duration, modified_date FROM citrix_sessions "
                + "ORDER BY modified_date DESC LIMIT 5;")
    }

    /// `jobs/demo/demo-citrix.yaml`, byte for byte (a test keeps the two in step).
    static let demoCitrixYAML = """
    # Demo job for `sluice demo`: the Citrix DaaS Monitor OData emulator (sessions, machines, users, metrics).
    # Valid as it stands; `sluice demo` writes a copy with the emulator's address in place of
    # http://127.0.0.1:18402 and its own secrets folder in place of /etc/sluice/credentials/.
    schedule: "every 15m"
    source:
      type: citrix-monitor
      api_base: "http://127.0.0.1:18402/monitorodata"
      token_url: "http://127.0.0.1:18402/cctrustoauth2/{customer_id}/tokens/clients"
      customer_id: { file: /etc/sluice/credentials/demo_citrix_customer_id }
      client_id: { file: /etc/sluice/credentials/demo_citrix_client_id }
      client_secret: { file: /etc/sluice/credentials/demo_citrix_client_secret }
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
