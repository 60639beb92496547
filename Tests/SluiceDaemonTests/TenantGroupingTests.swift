import SluiceCore
import Testing
import Foundation
@testable import SluiceDaemon

/// `status`, `/api/status`, the status page and the metrics say whose jobs are whose.
@Suite struct TenantGroupingTests {
    func status(_ job: String, tenant: String?, last: RunStatus? = nil) -> JobStatus {
        let run = last.map {
            RunRecord(runID: 1, job: job, trigger: .schedule, startedAt: "2026-03-01 12:00:00",
                      finishedAt: "2026-03-01 12:00:05", status: $0, rowsWritten: 0, requests: 1, bytesRead: 0, error: nil)
        }
        return JobStatus(job: job, tenant: tenant, source: "citrix-monitor", schedule: "every 1h", nextRun: nil,
                         lastRun: run, consecutiveFailures: 0, lastSuccessAt: nil, checkpoint: [:])
    }

    @Test func jobsWithoutATenantComeFirstThenEachTenantByName() {
        let groups = JobStatus.groupedByTenant([
            status("f-sessions", tenant: "fabrikam"), status("feed", tenant: nil),
            status("c-sessions", tenant: "contoso", last: .failed), status("c-users", tenant: "contoso"),
        ])
        #expect(groups.map(\.tenant) == [nil, "contoso", "fabrikam"])
        #expect(groups[1].statuses.map(\.job) == ["c-sessions", "c-users"])
        #expect(groups[1].failing == 1 && groups[2].failing == 0)
    }

    @Test func theStatusDocumentListsTenantsAndEachJobsTenant() {
        let doc = StatusDocument.json(warehouse: "w.db", statuses: [status("c-sessions", tenant: "contoso"),
                                                                    status("feed", tenant: nil)], brokenFiles: [])
        #expect(doc["tenants"] == .array([.object([("tenant", .string("contoso")), ("jobs", .array([.string("c-sessions")])),
                                                    ("failing", .integer(0))])]))
        #expect(doc["jobs"]?.arrayValue?.first?["tenant"] == .string("contoso"))
        #expect(doc["jobs"]?.arrayValue?.last?["tenant"] == .null)
    }

    @Test func theStatusPageHasASectionPerTenant() {
        let model = StatusPageModel.build(statuses: [status("c-sessions", tenant: "contoso"), status("f-sessions", tenant: "fabrikam")],
                                          runs: [:], coverage: [:], progress: [:], warningSeconds: 86_400, now: 1_772_452_800)
        let html = StatusPageHTML.render(model, product: "sluice test", nonce: "n")
        #expect(html.contains(#"<section class="jobs" aria-label="tenant contoso">"#))
        #expect(html.contains(#"<section class="jobs" aria-label="tenant fabrikam">"#))
        let contoso = html.range(of: "tenant contoso")!.lowerBound
        let fabrikam = html.range(of: "tenant fabrikam")!.lowerBound
        #expect(html.range(of: "job-c-sessions")!.lowerBound > contoso)
        #expect(html.range(of: "job-f-sessions")!.lowerBound > fabrikam)
    }

    @Test func metricsOfATenantsJobCarryATenantLabel() {
        let metrics = RunMetrics()
        let citrix = SourceSettings.citrixMonitor(CitrixSettings(customerID: .env("C"), clientID: .env("I"),
                                                                 clientSecret: .env("S"), entities: [CitrixEntity(name: "Sessions")]))
        metrics.setTenants(of: [
            JobDefinition(name: "c-sessions", file: "c.yaml", schedule: .every(seconds: 60), target: TargetSettings(),
                          source: citrix, tenant: "contoso"),
            JobDefinition(name: "plain", file: "p.yaml", schedule: .every(seconds: 60), target: TargetSettings(), source: citrix),
        ])
        metrics.committed(job: "c-sessions", rows: 5)
        metrics.committed(job: "plain", rows: 2)
        let text = String(decoding: metrics.render(), as: UTF8.self)
        #expect(text.contains(#"sluice_rows_written_total{job="c-sessions",tenant="contoso"} 5"#))
        #expect(text.contains(#"sluice_rows_written_total{job="plain"} 2"#))
    }
}
