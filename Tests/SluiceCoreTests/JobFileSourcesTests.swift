import Testing
@testable import SluiceCore

/// A full, valid file of each source type decodes to the settings it describes.
@Suite struct JobFileSourcesTests {
    @Test func cursorFeedDecodesEveryKey() throws {
        let yaml = """
            name: foreman-access
            description: Access requests from Foreman's BI feed
            schedule: "*/15 * * * *"
            timezone: Europe/Vienna
            jitter: 2m
            source:
              type: cursor-feed
              base_url: https://foreman.example.com/api/bi/v1
              dataset: access-requests
              token: { credential: foreman_token }
              cursor_param: after
              since_param: changed_since
              updated_field: changed_at
              page_size: 500
              page_size_param: limit
              lookback: 10m
              key: request_id
            """
        let job = try JobFileDecoder.decode(yaml: yaml, file: "jobs/foreman.yaml")
        #expect(job.name == "foreman-access")
        #expect(job.jitterSeconds == 120)
        #expect(job.timezone == "Europe/Vienna")
        guard case .cursorFeed(let s) = job.source else { Issue.record("not a cursor feed: \(job.source)"); return }
        #expect(s == CursorFeedSettings(baseURL: "https://foreman.example.com/api/bi/v1", dataset: "access-requests",
                                        token: .credential("foreman_token"), cursorParam: "after", sinceParam: "changed_since",
                                        updatedField: "changed_at", pageSize: 500, pageSizeParam: "limit",
                                        lookbackSeconds: 600, keyField: "request_id"))
    }

    @Test func ws1IntelligenceDecodesEveryKey() throws {
        let yaml = """
            schedule: every 6h
            target:
              table: ws1_devices
              mode: snapshot
              keep_snapshots: 30
            source:
              type: ws1-intelligence
              region: eu1
              api_base: https://api.eu1.data.workspaceone.com
              token_url: https://auth.eu1.data.workspaceone.com/oauth/token
              api_version: v1
              report_id: 375c49a4-8af5-4e5e-96b4-d6b015828a33
              client_id: { env: WS1_CLIENT_ID }
              client_secret: { file: /etc/sluice/ws1-secret }
              run_report: true
              page_size: 250
              run_timeout: 45m
            """
        let job = try JobFileDecoder.decode(yaml: yaml, file: "jobs/ws1-devices.yaml")
        #expect(job.target == TargetSettings(table: "ws1_devices", mode: .snapshot, keepSnapshots: 30))
        guard case .ws1Intelligence(let s) = job.source else { Issue.record("not WS1: \(job.source)"); return }
        #expect(s == WS1Settings(region: "eu1", apiBase: "https://api.eu1.data.workspaceone.com",
                                 tokenURL: "https://auth.eu1.data.workspaceone.com/oauth/token", apiVersion: "v1",
                                 reportID: "375c49a4-8af5-4e5e-96b4-d6b015828a33", clientID: .env("WS1_CLIENT_ID"),
                                 clientSecret: .file("/etc/sluice/ws1-secret"), runReport: true, runTimeoutSeconds: 2700,
                                 pageSize: 250))
    }

    @Test func ws1NeedsExactlyOneKindOfCredentials() {
        let base = "schedule: every 1h\nsource:\n  type: ws1-intelligence\n  report_id: abc\n"
        #expect(onlyProblem(base)?.message.hasPrefix("source needs credentials") == true)
        #expect(onlyProblem(base + "  client_id: {env: A}\n")?.message
            == "missing required key 'client_secret' in source (client_id and client_secret go together)")
        #expect(onlyProblem(base + "  client_id: {env: A}\n  client_secret: {env: B}\n  service_account: {file: /s.json}\n")?
            .message == "source: give either service_account or client_id and client_secret, not both")
        #expect(problems(base + "  service_account: {file: /etc/sluice/ws1.json}\n").isEmpty)
    }

    @Test func citrixMonitorDecodesEntitiesOfBothForms() throws {
        let yaml = """
            schedule: every 15m
            source:
              type: citrix-monitor
              api_base: http://127.0.0.1:9100/monitorodata
              token_url: http://127.0.0.1:9100/cctrustoauth2/{customer_id}/tokens/clients
              customer_id: { env: CITRIX_CUSTOMER_ID }
              client_id: { env: CITRIX_CLIENT_ID }
              client_secret: { credential: citrix_secret }
              entities:
                - Sessions
                - Machines
                - { name: SessionMetrics, key: [Id], cursor: CollectedDate, table: citrix_session_metrics }
                - name: Connections
                  key: Id
              initial_lookback: 14d
              lookback: 2h
              window: 12h
            """
        let job = try JobFileDecoder.decode(yaml: yaml, file: "jobs/citrix.yaml")
        guard case .citrixMonitor(let s) = job.source else { Issue.record("not Citrix: \(job.source)"); return }
        #expect(s == CitrixSettings(apiBase: "http://127.0.0.1:9100/monitorodata",
                                    tokenURL: "http://127.0.0.1:9100/cctrustoauth2/{customer_id}/tokens/clients",
                                    customerID: .env("CITRIX_CUSTOMER_ID"), clientID: .env("CITRIX_CLIENT_ID"),
                                    clientSecret: .credential("citrix_secret"),
                                    entities: [CitrixEntity(name: "Sessions"), CitrixEntity(name: "Machines"),
                                               CitrixEntity(name: "SessionMetrics", key: ["Id"], cursor: "CollectedDate",
                                                            table: "citrix_session_metrics"),
                                               CitrixEntity(name: "Connections", key: ["Id"])],
                                    initialLookbackSeconds: 14 * 86_400, lookbackSeconds: 7200, windowSeconds: 43_200))
    }

    @Test func citrixEntitiesAreChecked() {
        let base = """
            schedule: every 15m
            source:
              type: citrix-monitor
              customer_id: { env: C }
              client_id: { env: I }
              client_secret: { env: S }
            """
        #expect(onlyProblem(base)?.message == "missing required key 'entities' in source")
        #expect(onlyProblem(base + "\n  entities: [Sessions, Sessions]")?.message
            == "source.entities[2]: entity set 'Sessions' is listed twice")
        #expect(onlyProblem(base + "\n  entities:\n    - { name: Sessions, cursr: X }")?.message
            == "unknown key 'cursr' in source.entities[1] (did you mean 'cursor'?)")
        #expect(onlyProblem(base + "\n  entities: ['Sessions?$top=1']")?.line == 7)
    }

    @Test func powerBIActivityDecodesEveryKey() throws {
        let yaml = """
            schedule: every 1h
            source:
              type: powerbi-activity
              cloud: gcc-high
              authority: https://login.microsoftonline.us
              scope_resource: https://high.analysis.usgovcloudapi.net/powerbi/api
              tenant_id: { env: PBI_TENANT_ID }
              client_id: { env: PBI_CLIENT_ID }
              client_secret: { env: PBI_CLIENT_SECRET }
              api_base: https://api.high.powerbigov.us/v1.0/myorg
              filter: "Activity eq 'ViewReport'"
              initial_lookback: 28d
              late_arrival: 90m
            """
        let job = try JobFileDecoder.decode(yaml: yaml, file: "jobs/pbi.yaml")
        guard case .powerBIActivity(let s) = job.source else { Issue.record("not Power BI: \(job.source)"); return }
        #expect(s == PowerBISettings(cloud: "gcc-high", authority: "https://login.microsoftonline.us",
                                     scopeResource: "https://high.analysis.usgovcloudapi.net/powerbi/api",
                                     apiBase: "https://api.high.powerbigov.us/v1.0/myorg", tenantID: .env("PBI_TENANT_ID"),
                                     clientID: .env("PBI_CLIENT_ID"), clientSecret: .env("PBI_CLIENT_SECRET"),
                                     filter: "Activity eq 'ViewReport'", initialLookbackSeconds: 28 * 86_400,
                                     lateArrivalSeconds: 5400))
    }

    @Test func powerBIInitialLookbackBeyondTheAPIsRetentionIsRejected() {
        let yaml = """
            schedule: every 1h
            source:
              type: powerbi-activity
              tenant_id: { env: T }
              client_id: { env: I }
              client_secret: { env: S }
              initial_lookback: 30d
            """
        let error = onlyProblem(yaml)
        #expect(error?.line == 7)
        #expect(error?.message == "source.initial_lookback 30d is more than 28d: the Power BI activity API keeps only 28 days of events")
    }

    @Test func unknownCloudAndSourceTypeAreRejectedWithSuggestions() {
        let pbi = "schedule: every 1h\nsource:\n  type: powerbi-activity\n  tenant_id: {env: T}\n  client_id: {env: I}\n"
            + "  client_secret: {env: S}\n  cloud: gcc_high\n"
        #expect(onlyProblem(pbi)?.message.hasSuffix("(did you mean 'gcc-high'?)") == true)
        let type = onlyProblem("schedule: every 1h\nsource:\n  type: cursor-fed\n")
        #expect(type?.line == 3)
        #expect(type?.message.hasSuffix("not 'cursor-fed' (did you mean 'cursor-feed'?)") == true)
    }
}
