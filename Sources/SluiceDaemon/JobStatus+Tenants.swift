package import SluiceCore

/// The jobs of one `tenant:` (or those without one), as `status`, `/api/status` and the status page group them.
package struct TenantGroup: Sendable {
    /// nil for the jobs that have no tenant.
    package var tenant: String?
    package var statuses: [JobStatus]

    /// Jobs whose last run failed.
    package var failing: Int {
        statuses.filter { $0.lastRun?.status == .failed || $0.lastRun?.status == .abandoned }.count
    }
}

extension JobStatus {
    /// `statuses` grouped by tenant: the jobs without a tenant first, then each tenant by name; jobs keep their
    /// order within a group. One group (tenant nil) when no job has a tenant.
    package static func groupedByTenant(_ statuses: [JobStatus]) -> [TenantGroup] {
        var groups: [TenantGroup] = []
        let untenanted = statuses.filter { $0.tenant == nil }
        if !untenanted.isEmpty { groups.append(TenantGroup(tenant: nil, statuses: untenanted)) }
        for tenant in Set(statuses.compactMap(\.tenant)).sorted() {
            groups.append(TenantGroup(tenant: tenant, statuses: statuses.filter { $0.tenant == tenant }))
        }
        return groups
    }

    /// The `tenants` part of the status JSON: per tenant its jobs and how many failed; empty when no job has one.
    package static func tenantsJSON(_ statuses: [JobStatus]) -> JSONValue {
        .array(groupedByTenant(statuses).compactMap { group in
            guard let tenant = group.tenant else { return nil }
            return .object([("tenant", .string(tenant)), ("jobs", .array(group.statuses.map { .string($0.job) })),
                            ("failing", .integer(Int64(group.failing)))])
        })
    }
}
