import SluiceCore
import SluiceHTTP
import SluiceSources
import Testing

/// Jobs of one tenant share its API budgets; jobs of different tenants never wait for each other.
@Suite struct BudgetScopeTests {
    func job(_ name: String, tenant: String?) -> JobDefinition {
        JobDefinition(name: name, file: "\(name).yaml", schedule: .every(seconds: 3600), target: TargetSettings(),
                      source: .citrixMonitor(CitrixSettings(customerID: .env("C"), clientID: .env("I"),
                                                            clientSecret: .env("S"), entities: [CitrixEntity(name: "Sessions")])),
                      tenant: tenant)
    }

    @Test func jobsOfOneTenantShareAScopeAndOtherTenantsDoNot() {
        let a1 = BudgetScope.citrix(job("a-sessions", tenant: "contoso"), customerID: "cust")
        let a2 = BudgetScope.citrix(job("a-users", tenant: "contoso"), customerID: "cust")
        let b = BudgetScope.citrix(job("b-sessions", tenant: "fabrikam"), customerID: "cust")
        #expect(a1.key == a2.key)
        #expect(a1.key != b.key)
    }

    @Test func withoutATenantTheBudgetIsTheAPIIdentitysAsBefore() {
        #expect(BudgetScope.citrix(job("x", tenant: nil), customerID: "cust").key == "cust")
        let pbi = BudgetScope.powerBI(job("x", tenant: nil), authority: "https://login", tenantID: "t", clientID: "c")
        #expect(pbi.key == "https://login|t|c")
        let tenanted = BudgetScope.powerBI(job("x", tenant: "contoso"), authority: "https://login", tenantID: "t", clientID: "c")
        #expect(tenanted.key != pbi.key)
    }

    @Test func theSharedGatesAndBucketsFollowTheScope() {
        let a1 = BudgetScope.citrix(job("a-sessions", tenant: "contoso"), customerID: "scope-test")
        let a2 = BudgetScope.citrix(job("a-users", tenant: "contoso"), customerID: "scope-test")
        let b = BudgetScope.citrix(job("b-sessions", tenant: "fabrikam"), customerID: "scope-test")
        #expect(CitrixTenantGate.shared(for: a1.key) === CitrixTenantGate.shared(for: a2.key))
        #expect(CitrixTenantGate.shared(for: a1.key) !== CitrixTenantGate.shared(for: b.key))
        let registry = RateLimiterRegistry()
        let limit = RateLimit(requests: 200, perSeconds: 3600)
        #expect(registry.limiter(for: a1.key, limit: limit) === registry.limiter(for: a2.key, limit: limit))
        #expect(registry.limiter(for: a1.key, limit: limit) !== registry.limiter(for: b.key, limit: limit))
    }
}
