import Foundation
import SluiceCore
import SluiceEmulators

extension DemoPart {
    /// Power BI activity events: three UTC days up to now, schemas that vary by activity, empty pages that
    /// still carry a continuation token, and the documented null-token last page.
    static func powerBI() -> DemoPart {
        let secret = "demo-pbi-" + UUID().uuidString
        Redactor.shared.register(secret)
        let emulator = PowerBIActivityEmulator(.init(
            tenantID: "demo-tenant", clientID: "demo-client", clientSecret: secret, dayCount: 3, eventsPerDay: 400,
            pageSize: 150, emptyFirstPage: true))
        return DemoPart(
            emulators: [emulator],
            jobFiles: [("demo-powerbi.yaml", demoPowerBIYAML)],
            templateOrigins: ["http://127.0.0.1:18403"],
            secrets: ["demo_pbi_tenant_id": "demo-tenant", "demo_pbi_client_id": "demo-client",
                      "demo_pbi_client_secret": secret],
            exampleQuery: "SELECT activity, count(*) FROM demo_powerbi_activity_events GROUP BY activity ORDER BY 2 DESC;")
    }

    /// `jobs/demo/demo-powerbi.yaml`, byte for byte (a test keeps the two in step).
    static let demoPowerBIYAML = """
    # Demo job for `sluice demo`: the Power BI activity events emulator (admin API + Entra ID token endpoint).
    # Valid as it stands; `sluice demo` writes a copy with the emulator's address in place of
    # http://127.0.0.1:18403 and its own secrets folder in place of /etc/sluice/credentials/.
    schedule: "every 1h"
    target:
      table: demo_powerbi_activity_events
    source:
      type: powerbi-activity
      authority: "http://127.0.0.1:18403"
      api_base: "http://127.0.0.1:18403/v1.0/myorg"
      tenant_id: { file: /etc/sluice/credentials/demo_pbi_tenant_id }
      client_id: { file: /etc/sluice/credentials/demo_pbi_client_id }
      client_secret: { file: /etc/sluice/credentials/demo_pbi_client_secret }
      initial_lookback: 4d
      late_arrival: 1h

    """
}
