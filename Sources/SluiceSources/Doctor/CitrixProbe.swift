import SluiceCore
import SluiceWire
import SluiceHTTP

/// `citrix-monitor`: the API client's token, `$metadata` (which also proves the `Citrix-CustomerId` is
/// accepted), and `$top=1` on each configured entity set.
///
/// Requests: one token request, `$metadata`, and one per entity set, each taking its turn at the tenant's
/// gate like a run's (the service answers parallel calls of one tenant with 429).
struct CitrixProbe: SourceProbe {
    let settings: CitrixSettings

    func checks(_ context: ProbeContext) async -> [DoctorCheck] {
        let job = context.job
        let plans: [CitrixEntityPlan]
        let customerID: String
        let clientID: String
        let clientSecret: String
        do {
            plans = try CitrixEntityDefaults.plans(for: settings, target: job.target, job: job.name)
            customerID = try context.source.secrets.resolve(settings.customerID, job: job.name, key: "customer_id")
            clientID = try context.source.secrets.resolve(settings.clientID, job: job.name, key: "client_id")
            clientSecret = try context.source.secrets.resolve(settings.clientSecret, job: job.name, key: "client_secret")
        } catch {
            return [.fail("entities", error.message, fix: "fix source.entities in the job file (sluice validate checks it)")]
        }
        let tokenURL = settings.tokenURL.replacingAll("{customer_id}", with: URLBuilder.encode(customerID, keepSlash: false))
        let credentials = OAuthClientCredentials(tokenURL: tokenURL, clientID: clientID, clientSecret: clientSecret,
                                                 style: .formBody, redactor: .shared)
        let authorizer = credentials.authorizer(fetcher: context.fetcher, caches: context.source.tokens,
                                                headerFormat: { "CWSAuth bearer=\($0)" })
        let token = await tokenCheck(authorizer, wording: TokenWording(
            service: "Citrix Cloud", tokenURL: tokenURL,
            rejectedFix: "check client_id and client_secret of the API client (Citrix Cloud → Identity and Access "
                + "Management → API Access); create a new secure client if the secret is lost",
            refusedFix: "check token_url for your region and customer_id"))
        guard token.outcome == .pass else { return [token] }

        let session = CitrixMonitorSource.Session(fetcher: context.fetcher, authorizer: authorizer,
                                                  gate: CitrixTenantGate.shared(for: BudgetScope.citrix(job, customerID: customerID).key),
                                                  customerID: customerID, apiBase: settings.apiBase)
        let metadata: CitrixMetadata
        do {
            let response = try await session.get(CitrixQuery.metadataURL(apiBase: settings.apiBase),
                                                 accept: "application/xml", step: "$metadata")
            metadata = CitrixMetadata.parse(response.text)
        } catch {
            return [token, Self.refusal("$metadata", error, target: "the Monitor service")]
        }
        var checks = [token, DoctorCheck.pass("$metadata", "the Monitor service accepts the token and the "
                                                  + "Citrix-CustomerId (\(metadata.entitySets.count) entity sets)")]
        let source = CitrixMonitorSource(settings: settings, context: context.source)
        for plan in plans {
            checks.append(await entityCheck(plan, metadata: metadata, source: source, session: session, job: job))
        }
        return checks
    }

    /// `$top=1` on one entity set, and whether its upsert key is known.
    func entityCheck(_ plan: CitrixEntityPlan, metadata: CitrixMetadata, source: CitrixMonitorSource,
                     session: CitrixMonitorSource.Session, job: JobDefinition) async -> DoctorCheck {
        let url = CitrixQuery.url(apiBase: settings.apiBase, entity: plan.name, cursor: nil, window: nil) + "?$top=1"
        let rows: Int
        do {
            let response = try await session.get(url, step: "$top=1 of \(plan.name)")
            rows = try CitrixPage.parse(response.body, step: "$top=1 of \(plan.name)").rows.count
        } catch {
            return Self.refusal(plan.name, error, target: "entity set \(plan.name)")
        }
        let target: TableTarget
        do {
            target = try source.target(for: plan, type: metadata.entityType(forSet: plan.name), job: job)
        } catch {
            return .fail(plan.name, error.message, fix: "give { name: \(plan.name), key: [...] } in source.entities")
        }
        let cursor = plan.cursor.map { "cursor \($0)" } ?? "re-read whole"
        return .pass(plan.name, "readable (\(rows) row\(rows == 1 ? "" : "s") with $top=1; key "
                         + "\(target.primaryKey.joined(separator: ", ")), \(cursor), table \(plan.table))")
    }

    /// Citrix's own words for a refused Monitor request.
    static func refusal(_ name: String, _ error: any Error, target: String) -> DoctorCheck {
        ProbeFailure.check(name, error, target: target) { error in
            switch error.status {
            case 401:
                return .fail(name, "the Monitor service rejected the token (HTTP 401) although the token endpoint "
                                 + "issued it: \(ProbeFailure.excerpt(error.message))",
                             fix: "check that api_base and token_url are of the same region, and that the API client "
                                 + "has access to Monitor (a Citrix Cloud administrator with the Monitor permission)")
            case 403:
                return .fail(name, "Citrix refused the Citrix-CustomerId (HTTP 403): the API client does not belong "
                                 + "to this customer, or lacks the Monitor permission",
                             fix: "check customer_id (Citrix Cloud → Identity and Access Management → API Access shows "
                                 + "the customer ID) and the API client's administrator permissions")
            case 404 where name != "$metadata":
                return .fail(name, "the Monitor service has no entity set \(name) (HTTP 404)",
                             fix: "check the name in source.entities (case matters: Sessions, Machines, Users, …)")
            default:
                return nil
            }
        }
    }
}
