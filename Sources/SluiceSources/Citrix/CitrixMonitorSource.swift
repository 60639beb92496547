import Logging
package import SluiceCore
import SluiceHTTP

/// Pulls Citrix DaaS Monitor OData entity sets incrementally into one table each.
///
/// One run: a token from `cctrustoauth2` (form body; `expires_in` arrives as a string), `$metadata` once for
/// column types and keys, then per entity set the windows of ``CitrixWindowPlanner`` — each one query
/// `?$filter={cursor} ge {from} and {cursor} lt {to}&$orderby={cursor} asc` followed through
/// `@odata.nextLink` (only on the configured host). Every page is one upsert batch. Sets without a cursor are
/// re-read whole. Every Monitor request takes its turn at the tenant's ``CitrixTenantGate``.
///
/// Checkpoint `watermark.<Entity>` is the largest cursor value committed. Because pages arrive in cursor
/// order, that value is a true low-water mark: everything older in the window has been committed. Should a
/// server ignore `$orderby` (vendor support is unconfirmed), the source notices the disorder and keeps the
/// watermark where the window started until the window's chain is finished, so a run cut off mid-window
/// re-reads the whole window next time.
package struct CitrixMonitorSource: Source {
    /// `sluice_state` keys this source writes.
    package enum StateKey {
        /// `watermark.Sessions`: the largest cursor value committed for that entity set (source text).
        package static func watermark(_ entity: String) -> String { "watermark.\(entity)" }
    }

    let settings: CitrixSettings
    let context: SourceContext

    package init(settings: CitrixSettings, context: SourceContext) {
        self.settings = settings
        self.context = context
    }

    /// What every request of one run shares.
    struct Session: Sendable {
        let fetcher: HTTPFetcher
        let authorizer: CachedTokenAuthorizer
        let gate: CitrixTenantGate
        let customerID: String
        let apiBase: String

        /// Sends one Monitor request in the tenant's turn, with the Citrix headers.
        func get(_ url: String, accept: String = "application/json", step: String) async throws -> HTTPResponse {
            let request = HTTPRequest.get(url, headers: [HTTPHeader("Citrix-CustomerId", customerID),
                                                         HTTPHeader("Accept", accept)], step: step)
            return try await gate.withTurn { [fetcher, authorizer] in
                try await fetcher.send(request, authorizer: authorizer)
            }
        }
    }

    package func pull(_ request: PullRequest, emit: @Sendable (Batch) async throws -> Void) async throws -> PullOutcome {
        let job = request.job
        let plans = try CitrixEntityDefaults.plans(for: settings, target: job.target, job: job.name)
        let customerID = try context.secrets.resolve(settings.customerID, job: job.name, key: "customer_id")
        let clientID = try context.secrets.resolve(settings.clientID, job: job.name, key: "client_id")
        let clientSecret = try context.secrets.resolve(settings.clientSecret, job: job.name, key: "client_secret")
        let tokenURL = settings.tokenURL.replacingAll("{customer_id}", with: URLBuilder.encode(customerID, keepSlash: false))
        let credentials = OAuthClientCredentials(tokenURL: tokenURL, clientID: clientID, clientSecret: clientSecret,
                                                 style: .formBody, redactor: .shared)
        let session = Session(
            fetcher: context.fetcher,
            authorizer: credentials.authorizer(fetcher: context.fetcher, caches: context.tokens,
                                               headerFormat: { "CWSAuth bearer=\($0)" }),
            gate: CitrixTenantGate.shared(for: BudgetScope.citrix(job, customerID: customerID).key),
            customerID: customerID, apiBase: settings.apiBase)

        let metadataResponse = try await session.get(CitrixQuery.metadataURL(apiBase: settings.apiBase),
                                                     accept: "application/xml", step: "$metadata")
        let metadata = CitrixMetadata.parse(metadataResponse.text)
        var budget = RepairBudget(limit: request.repairBudget)
        for plan in plans {
            try await pullEntity(plan, metadata: metadata.entityType(forSet: plan.name), request: request,
                                 session: session, budget: &budget, emit: emit)
        }
        return .completed
    }

    /// The upsert target of an entity: the plan's key, else the `$metadata` key.
    func target(for plan: CitrixEntityPlan, type: CitrixMetadata.EntityType?, job: JobDefinition) throws(SluiceError)
        -> TableTarget {
        let key = plan.key.isEmpty ? type?.key ?? [] : plan.key
        guard !key.isEmpty else {
            throw SluiceError(.config, job: job.name, step: plan.name,
                              "no key is known for entity set '\(plan.name)' and $metadata names none; "
                                  + "give { name: \(plan.name), key: [...] } in source.entities")
        }
        return TableTarget(table: plan.table, mode: .upsert, primaryKey: key, columnTypes: job.target.columns)
    }
}
