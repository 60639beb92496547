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
            environment: ["SLUICE_DEMO_PBI_TENANT_ID": "demo-tenant", "SLUICE_DEMO_PBI_CLIENT_ID": "demo-client",
                          "SLUICE_DEMO_PBI_CLIENT_SECRET": secret],
            placeholders: { urls in ["PBI_URL": urls[0]] },
            exampleQuery: "SELECT activity, count(*) FROM demo_powerbi_activity_events GROUP BY activity ORDER BY 2 DESC;")
    }

    /// `jobs/demo/demo-powerbi.yaml`, byte for byte (a test keeps the two in step).
    static let demoPowerBIYAML = """
    # Demo job for `sluice demo`: the Power BI activity events emulator (admin API + Entra ID token endpoint).
    # `sluice demo` replaces @@PBI_URL@@ with the emulator's loopback address and sets the three variables.
    schedule: "every 1h"
    target:
      table: demo_powerbi_activity_events
    source:
      type: powerbi-activity
      authority: "@@PBI_URL@@"
      api_base: "@@PBI_URL@@/v1.0/myorg"
      tenant_id: { env: SLUICE_DEMO_PBI_TENANT_ID }
      client_id: { env: SLUICE_DEMO_PBI_CLIENT_ID }
      client_secret: { env: SLUICE_DEMO_PBI_CLIENT_SECRET }
      initial_lookback: 4d
      late_arrival: 1h

    """
}
