package import Foundation
package import SluiceCore

extension CompletenessPolicy {
    /// The policy of `job`: the tables its source writes and how long each API keeps data: Power BI 28 days,
    /// Citrix its `retention:` (per entity set when given), feeds and WS1 history (their gaps never expire).
    package init(job: JobDefinition, now: Date = Date()) {
        var tables: [String] = []
        var recoverable: [String: Int64] = [:]
        switch job.source {
        case .powerBIActivity:
            let table = job.target.table ?? PowerBIActivitySource.defaultTable
            tables = [table]
            recoverable[table] = ActivityWindowPlanner.retentionMillis
        case .citrixMonitor(let settings):
            let plans = (try? CitrixEntityDefaults.plans(for: settings, target: job.target, job: job.name)) ?? []
            for (plan, entity) in zip(plans, settings.entities) {
                tables.append(plan.table)
                recoverable[plan.table] = EpochMillis.from(seconds: entity.retentionSeconds ?? settings.retentionSeconds)
            }
        case .cursorFeed, .ws1Intelligence:
            tables = [job.target.table ?? job.defaultTable]
        }
        self.init(job: job.name, tables: tables, recoverableFor: recoverable,
                  staleAfterSeconds: Staleness.bound(for: job, now: now))
    }
}
