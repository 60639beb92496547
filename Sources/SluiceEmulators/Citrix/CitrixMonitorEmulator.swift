package import Foundation
package import Hummingbird
import Synchronization

/// Emulates the Citrix DaaS Monitor Service OData v4 API and its `cctrustoauth2` token endpoint,
/// including the awkward parts.
///
/// - `POST /cctrustoauth2/{customer|root}/tokens/clients`: form body, `expires_in` as a string.
/// - `GET /monitorodata/$metadata` (CSDL XML) and `GET /monitorodata/{EntitySet}` with `$filter` (comparisons
///   joined by `and`; quoted date literals are a 400 as on a real OData service), `$orderby`, `$top` and
///   server-driven paging through `@odata.nextLink` carrying `$skiptoken`.
/// - Headers: `Authorization: CWSAuth bearer=<token>` (a plain `Bearer` is 401), `Citrix-CustomerId`
///   (missing: 401, another customer: 403).
/// - One call per tenant: a request arriving while another of the same customer is being answered gets 429
///   and counts as a ``concurrencyViolations``. Every request is held ``Configuration/holdTime`` so that
///   overlapping clients are caught.
///
/// Rows are generated from their index (deterministic); `modify` bumps rows' change date. Monitor requests
/// (not token requests) are counted in `journal`, and positional fault knobs use those numbers.
package final class CitrixMonitorEmulator: Emulator {
    /// The fixed shape of the service.
    package struct Configuration: Sendable {
        package var customerID: String
        package var clientID: String
        package var clientSecret: String
        /// Rows per entity set (`Sessions`, `Machines`, `Users`, `SessionMetrics`, `ResourceUtilizationSummary`).
        package var rowCounts: [String: Int]
        /// The newest row's instant; older rows are `rowInterval` apart.
        package var anchor: Date
        package var rowInterval: Duration
        /// Rows per page (the docs say 100 in one revision, 1000 in another).
        package var pageSize: Int
        /// How long each Monitor request is held open, so overlapping requests are detectable.
        package var holdTime: Duration
        /// Token lifetime, sent as the string `expires_in`.
        package var tokenLifetimeSeconds: Int

        package init(customerID: String = "demo-customer", clientID: String = "demo-client", clientSecret: String,
                    rowCounts: [String: Int] = ["Sessions": 300, "Machines": 40, "Users": 120, "SessionMetrics": 300,
                                                "ResourceUtilizationSummary": 96],
                    anchor: Date = Date(), rowInterval: Duration = .seconds(600), pageSize: Int = 100,
                    holdTime: Duration = .milliseconds(5), tokenLifetimeSeconds: Int = 3600) {
            self.customerID = customerID
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.rowCounts = rowCounts
            self.anchor = anchor
            self.rowInterval = rowInterval
            self.pageSize = pageSize
            self.holdTime = holdTime
            self.tokenLifetimeSeconds = tokenLifetimeSeconds
        }
    }

    struct State {
        var pageSize: Int
        /// Entity set → row index → (revision, modified millis).
        var edits: [String: [Int: (revision: Int, millis: Int64)]] = [:]
        var inFlight: [String: Int] = [:]
        var violations = 0
        var odataErrors: [Int: (status: Int, message: String)] = [:]
        var redirects: [Int: String] = [:]
        var expireTokensAt: Set<Int> = []
        var nextLinkOrigin: String?
        /// Requests following a `@odata.nextLink` (carrying `$skiptoken`) refused with a 400 while > 0.
        var brokenNextLinks = 0
    }

    package let configuration: Configuration
    let state: Mutex<State>
    /// The token endpoint (its own journal and faults; `expireAllTokens()` forces a new token).
    package let tokens: OAuthTokenEndpoint
    /// Monitor requests (`$metadata` and entity sets), without credentials.
    package let journal = RequestJournal()
    /// Failures, delays (slow pages) and truncated bodies (malformed JSON), by Monitor request number.
    package let faults = FaultKnobs()
    /// The clock of this server's `Date` headers (token route included).
    package let serverClock = ServerClock()

    package init(_ configuration: Configuration) {
        self.configuration = configuration
        self.state = Mutex(State(pageSize: configuration.pageSize))
        self.tokens = OAuthTokenEndpoint(.init(path: "/cctrustoauth2/root/tokens/clients", clientID: configuration.clientID,
                                               clientSecret: configuration.clientSecret,
                                               lifetimeSeconds: configuration.tokenLifetimeSeconds,
                                               expiresInStyle: .string, tokenType: "bearer"))
    }

    /// Served under `/monitorodata`, so the base URL is a job file's `api_base`.
    package var basePath: String { "/monitorodata" }

    /// The job file's `token_url` for an `api_base` this emulator handed out.
    package static func tokenURL(forAPIBase apiBase: String) -> String {
        String(apiBase.dropLast("/monitorodata".count)) + "/cctrustoauth2/{customer_id}/tokens/clients"
    }

    package func addRoutes(to router: Router<BasicRequestContext>) {
        router.post("/cctrustoauth2/:customer/tokens/clients") { request, context in
            let customer = context.parameters.get("customer") ?? ""
            guard customer == self.configuration.customerID || customer == "root" else {
                return Self.citrixError(.notFound, kind: "notFound", "Unknown customer")
            }
            return try await self.tokens.respond(to: request)
        }
        router.get("/monitorodata/:entity") { request, context in
            try await self.respond(to: request, entity: context.parameters.get("entity") ?? "")
        }
    }

    // MARK: - Knobs

    /// Requests that arrived while another request of the same customer was in flight.
    package var concurrencyViolations: Int { state.withLock { $0.violations } }

    /// Changes the page size from now on.
    package func setPageSize(_ size: Int) { state.withLock { $0.pageSize = max(1, size) } }

    /// Modifies rows (1-based indexes) of an entity set: their change date moves to `date` and a value changes
    /// (Sessions end, Users are renamed, Machines go into maintenance).
    package func modify(_ entity: String, rows: [Int], at date: Date) {
        let millis = EmulatorTimestamp.millis(of: date)
        state.withLock { state in
            for i in rows {
                let old = state.edits[entity]?[i]?.revision ?? 0
                state.edits[entity, default: [:]][i] = (old + 1, millis)
            }
        }
    }

    /// Answers Monitor request `number` with an OData error body (`{"error":{"code","message"}}`) and `status`
    /// (200 by default: third-party clients met error bodies in successful answers).
    package func odataError(onRequest number: Int, status: Int = 200,
                           message: String = "An error has occurred while processing the query (injected)") {
        state.withLock { $0.odataErrors[number] = (status, message) }
    }

    /// Answers Monitor request `number` with `307 Temporary Redirect` to the same path and query on `origin`
    /// (`http://host:port`): a proxy or a hostile server sending the client elsewhere.
    package func redirect(onRequest number: Int, to origin: String) {
        state.withLock { $0.redirects[number] = origin }
    }

    /// Expires every token when Monitor request `number` arrives, so that request gets a 401.
    package func expireTokens(onRequest number: Int) {
        state.withLock { _ = $0.expireTokensAt.insert(number) }
    }

    /// Refuses the next `times` requests that follow an `@odata.nextLink` with a 400 OData error (a skip token
    /// the service no longer accepts): the chain breaks after its first page.
    package func breakNextLinks(times: Int) {
        state.withLock { $0.brokenNextLinks = times }
    }

    /// Writes `@odata.nextLink` with this origin (`http://host:port`) instead of the request's own.
    package func setNextLinkOrigin(_ origin: String?) {
        state.withLock { $0.nextLinkOrigin = origin }
    }

    /// The row keys a complete read of `entity` returns, for checks (`SessionKey` GUID / `Id` text).
    package func keyText(_ entity: String, row i: Int) -> String? {
        guard let shape = CitrixCatalog.all.first(where: { $0.name == entity }) else { return nil }
        let cells = shape.row(i, rowContext(shape, row: i))
        guard case .text(let key) = cells[0] else { return cells[0].json }
        return key
    }

    /// Row `i`'s change date as the service writes it (`2024-08-06T07:08:50.72Z`).
    package func changeDateText(_ entity: String, row i: Int) -> String? {
        guard let shape = CitrixCatalog.all.first(where: { $0.name == entity }),
              let index = shape.properties.firstIndex(where: { $0.name == shape.changeDate }) else { return nil }
        let json = shape.row(i, rowContext(shape, row: i))[index].json
        return String(json.dropFirst().dropLast())
    }

    func rowContext(_ shape: CitrixEntitySetShape, row i: Int) -> RowContext {
        let interval = configuration.rowInterval.components
        let edit = state.withLock { $0.edits[shape.name]?[i] }
        return RowContext(count: configuration.rowCounts[shape.name] ?? 0,
                          anchorMillis: EmulatorTimestamp.millis(of: configuration.anchor),
                          intervalMillis: interval.seconds * 1000 + interval.attoseconds / 1_000_000_000_000_000,
                          revision: edit?.revision ?? 0, modifiedMillis: edit?.millis)
    }
}
