package import SluiceCore

/// Whose API budget a request spends: the job's `tenant:` together with the API identity the budget belongs to
/// (a Citrix customer, a Power BI tenant and client).
///
/// Jobs of one tenant that call the same API identity share its budget (Citrix: one call at a time; Power BI:
/// 200 requests an hour); jobs of different tenants never share one, so one customer's long pull never makes
/// another customer's jobs wait. Jobs without a tenant keep the budget of their API identity alone.
package struct BudgetScope: Sendable, Hashable {
    /// The job's `tenant:`, nil when it has none.
    package var tenant: String?
    /// The API identity, as the source knows it (never shown: it may be built from secrets).
    package var account: String

    package init(tenant: String?, account: String) {
        self.tenant = tenant
        self.account = account
    }

    /// The key of the shared gate or token bucket.
    package var key: String { tenant.map { "tenant:\($0)|\(account)" } ?? account }

    /// The Citrix Monitor scope of `job` for `customerID`.
    package static func citrix(_ job: JobDefinition, customerID: String) -> BudgetScope {
        BudgetScope(tenant: job.tenant, account: customerID)
    }

    /// The Power BI scope of `job` for the authority, Entra tenant and client it calls with.
    package static func powerBI(_ job: JobDefinition, authority: String, tenantID: String, clientID: String) -> BudgetScope {
        BudgetScope(tenant: job.tenant, account: "\(authority)|\(tenantID)|\(clientID)")
    }
}
