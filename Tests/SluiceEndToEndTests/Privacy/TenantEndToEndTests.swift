import Foundation
import SluiceEmulators
import SluiceTestSupport
import Testing

/// `tenant:` through the built binary: two customers' Citrix jobs write one table, keyed by tenant.
@Suite("tenants, end to end")
struct TenantEndToEndTests {
    /// A Citrix job of `tenant` reading `entity` with credentials from the `prefix` variables.
    static func job(tenant: String, apiBase: String, prefix: String, entity: String, extra: String = "") -> String {
        """
        schedule: "every 1h"
        tenant: \(tenant)
        \(extra)
        source:
          type: citrix-monitor
          api_base: "\(apiBase)"
          token_url: "\(CitrixMonitorEmulator.tokenURL(forAPIBase: apiBase))"
          customer_id: { env: \(prefix)_CUSTOMER }
          client_id: { env: \(prefix)_CLIENT_ID }
          client_secret: { env: \(prefix)_CLIENT_SECRET }
          entities: [\(entity)]
          initial_lookback: 7d

        """
    }

    @Test func twoTenantsShareOneTableWithoutCollidingAndEachKeepsItsBudget() async throws {
        try await CitrixFixture.with(rowCounts: ["Sessions": 120, "Users": 30]) { contoso in
            let secret = "fabrikam-secret-" + UUID().uuidString
            let fabrikam = CitrixMonitorEmulator(.init(customerID: "cust-fabrikam", clientID: "client-fabrikam",
                                                       clientSecret: secret, rowCounts: ["Sessions": 80],
                                                       anchor: Date().addingTimeInterval(-120), holdTime: .milliseconds(5)))
            try await EmulatorServer.withRunning(fabrikam) { fabrikamURL in
                let dir = contoso.dir
                try dir.writeJob("contoso-sessions", Self.job(tenant: "contoso", apiBase: contoso.apiBase, prefix: "CITRIX",
                                                              entity: "Sessions"))
                try dir.writeJob("contoso-users", Self.job(
                    tenant: "contoso", apiBase: contoso.apiBase, prefix: "CITRIX", entity: "Users",
                    extra: "target:\n  pseudonymise: [Upn, UserName, Sid, FullName]\n  pseudonym_key: { env: PSEUDONYM_KEY }"))
                try dir.writeJob("fabrikam-sessions", Self.job(tenant: "fabrikam", apiBase: fabrikamURL, prefix: "FABRIKAM",
                                                               entity: "Sessions"))
                let environment = contoso.environment.merging([
                    "FABRIKAM_CUSTOMER": "cust-fabrikam", "FABRIKAM_CLIENT_ID": "client-fabrikam",
                    "FABRIKAM_CLIENT_SECRET": secret, "PSEUDONYM_KEY": "tenant-test-key",
                ]) { $1 }
                func sluice(_ args: [String]) async throws -> SluiceProcess.Result {
                    try await SluiceProcess.run(args + ["--jobs", dir.jobs, "--warehouse", dir.warehouse], in: dir.path,
                                                environment: environment, timeout: 120)
                }
                let run = try await sluice(["run"])
                #expect(run.exitCode == 0, "\(run.combined)")
                let db = try contoso.reader()
                #expect(db.rows("SELECT status FROM sluice_runs ORDER BY job") == [["succeeded"], ["succeeded"], ["succeeded"]])
                // Both customers number their sessions alike: equal keys, told apart by the tenant.
                #expect(db.rows("SELECT tenant, count(*) FROM citrix_sessions GROUP BY tenant ORDER BY tenant")
                        == [["contoso", "120"], ["fabrikam", "80"]])
                #expect(db.int("SELECT count(*) FROM citrix_sessions a JOIN citrix_sessions b "
                               + "ON a.session_key = b.session_key AND a.tenant < b.tenant") == 80)
                #expect(db.declaredTypes("citrix_sessions")["tenant"] == "TEXT")
                #expect(db.rows("SELECT name FROM pragma_table_info('citrix_sessions') WHERE pk > 0 ORDER BY pk")
                        == [["tenant"], ["session_key"]])
                // Checkpoints stay per job.
                #expect(db.rows("SELECT job FROM sluice_state WHERE key = 'watermark.Sessions' ORDER BY job")
                        == [["contoso-sessions"], ["fabrikam-sessions"]])
                // The two contoso jobs shared the customer's one-call-at-a-time gate.
                #expect(contoso.emulator.concurrencyViolations == 0)
                #expect(fabrikam.concurrencyViolations == 0)
                // Citrix Users: names, UPNs and SIDs pseudonymised.
                #expect(db.int("SELECT count(*) FROM citrix_users WHERE tenant = 'contoso'") == 30)
                #expect(db.int("SELECT count(DISTINCT upn) FROM citrix_users") == 30)
                #expect(db.int("SELECT count(*) FROM citrix_users WHERE upn LIKE '%@%' OR sid LIKE 'S-1-5-%' "
                               + "OR user_name LIKE 'user%'") == 0)

                // A second run goes on from each job's own watermark and adds no duplicates.
                let again = try await sluice(["run"])
                #expect(again.exitCode == 0, "\(again.combined)")
                #expect(db.int("SELECT count(*) FROM citrix_sessions") == 200)

                let status = try await sluice(["status"])
                #expect(status.stdout.contains("tenant contoso: 2 jobs, 0 failing"), "\(status.stdout)")
                #expect(status.stdout.contains("tenant fabrikam: 1 job, 0 failing"))
                let json = try await sluice(["status", "--json"])
                #expect(json.stdout.contains(#""tenants":[{"tenant":"contoso","jobs":["contoso-sessions","contoso-users"],"failing":0}"#),
                        "\(json.stdout)")
            }
        }
    }
}
