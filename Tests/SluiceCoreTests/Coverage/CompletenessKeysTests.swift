import Foundation
import SluiceCore
import Testing

@Suite("completeness keys in job files")
struct CompletenessKeysTests {
    let citrix = """
        schedule: every 1h
        retention: 14d
        max_staleness: 6h
        repair_budget: 5
        source:
          type: citrix-monitor
          customer_id: { env: C }
          client_id: { env: I }
          client_secret: { env: S }
          entities:
            - Sessions
            - { name: Machines, retention: 90d }
        """

    @Test func citrixRetentionStalenessAndBudgetDecode() throws {
        let job = try JobFileDecoder.decode(yaml: citrix, file: "jobs/citrix.yaml")
        guard case .citrixMonitor(let s) = job.source else { Issue.record("not Citrix"); return }
        #expect(s.retentionSeconds == 14 * 86_400)
        #expect(s.entities.map(\.retentionSeconds) == [nil, 90 * 86_400])
        #expect(job.maxStalenessSeconds == Double(6 * 3600))
        #expect(job.repairBudget == 5)
        #expect(Staleness.bound(for: job, now: Date()) == 6 * 3600)
    }

    @Test func retentionIsRefusedWhereTheAPIDecidesIt() {
        let pbi = """
            schedule: every 1h
            retention: 40d
            source:
              type: powerbi-activity
              tenant_id: { env: T }
              client_id: { env: I }
              client_secret: { env: S }
            """
        #expect(onlyProblem(pbi)?.message.contains("retention applies to citrix-monitor jobs") == true)
        #expect(onlyProblem(citrix.replacingOccurrences(of: "repair_budget: 5", with: "repair_budget: -1"))?.message
            == "repair_budget must be a whole number from 0 to 100000, not '-1'")
    }

    @Test func staleBoundIsTwoIntervalsAndTheLongestStretchOfACronSchedule() throws {
        let hourly = try JobFileDecoder.decode(yaml: citrix.replacingOccurrences(of: "max_staleness: 6h\n", with: ""),
                                               file: "jobs/c.yaml")
        #expect(Staleness.bound(for: hourly, now: Date()) == 7200)
        var weekdays = hourly
        weekdays.schedule = try Schedule.parse("0 6 * * 1-5")
        // Friday 06:00 to Monday 06:00 is the longest stretch: 3 days, so 6 days without success is stale.
        #expect(Staleness.bound(for: weekdays, now: Date(timeIntervalSince1970: 1_793_491_200)) == 6 * 86_400)
    }
}
