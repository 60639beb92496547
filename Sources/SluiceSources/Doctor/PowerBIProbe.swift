import SluiceCore
import SluiceWire
import SluiceHTTP

/// `powerbi-activity`: the Entra ID token and the first page of today's UTC window.
///
/// Exactly one request to the activity events API (plus the token request): the API allows 200 an hour, and
/// the request takes its token from the same bucket as the job's runs (keyed by authority, tenant and client).
/// A 401 is not answered with a new token and a second try, as a run would: with a token Entra ID has just
/// issued, a 401 means Power BI does not let this service principal use the admin API,
/// which a second request would only confirm.
struct PowerBIProbe: SourceProbe {
    let settings: PowerBISettings
    /// The longest doctor waits for a token of the shared request budget.
    static let budgetWait: Duration = .seconds(5)

    func checks(_ context: ProbeContext) async -> [DoctorCheck] {
        let job = context.job
        let endpoints: PowerBIEndpoints
        let tenant: String
        let clientID: String
        let secret: String
        do {
            endpoints = try PowerBIEndpoints(settings)
            tenant = try context.source.secrets.resolve(settings.tenantID, job: job.name, key: "tenant_id")
            clientID = try context.source.secrets.resolve(settings.clientID, job: job.name, key: "client_id")
            secret = try context.source.secrets.resolve(settings.clientSecret, job: job.name, key: "client_secret")
        } catch {
            return [.fail("cloud", error.message, fix: "fix source.cloud (or authority/api_base) in the job file")]
        }
        let credentials = OAuthClientCredentials(tokenURL: endpoints.tokenURL(tenant: tenant), clientID: clientID,
                                                 clientSecret: secret, style: .formBodyWithScope(endpoints.scope),
                                                 redactor: .shared)
        let authorizer = credentials.authorizer(fetcher: context.fetcher, caches: context.source.tokens)
        let token = await tokenCheck(authorizer, wording: TokenWording(
            service: "Entra ID", tokenURL: credentials.tokenURL,
            rejectedFix: "check client_id and client_secret of the app registration (a client secret expires: "
                + "Entra admin center → App registrations → Certificates & secrets)",
            refusedFix: "check tenant_id (the directory ID) and cloud (or authority and scope_resource)"))
        guard token.outcome == .pass else { return [token] }

        let scope = BudgetScope.powerBI(job, authority: endpoints.authority, tenantID: tenant, clientID: clientID)
        let limiter = context.source.rateLimiters.limiter(for: scope.key,
                                                          limit: job.http.rateLimit ?? PowerBIActivitySource.defaultRateLimit)
        guard await Self.acquire(limiter, within: Self.budgetWait) else {
            return [token, .warn("activity events", "not asked: the hourly request budget this process keeps for "
                                     + "this tenant and client is spent (other jobs here share it)",
                                 fix: "run sluice doctor for this job alone, or later")]
        }
        let requests = ActivityEventsRequests(endpoints: endpoints, filter: settings.filter,
                                              continuationHosts: settings.continuationHosts)
        let window = Self.today(nowMillis: Int64((context.now * 1000).rounded(.down)))
        let step = "first page of activity events \(window.day)"
        do {
            let response = try await context.fetcher.send(
                .get(requests.firstPageURL(window), headers: [HTTPHeader("Accept", "application/json")], step: step),
                authorizer: NoSecondToken(authorizer))
            let page = try ActivityEventsPage.parse(response.body, step: step)
            let more = try requests.next(after: page, step: step) == .done ? "the chain ends there" : "a continuation follows"
            return [token, .pass("activity events", "the admin API answered for \(window.day) (UTC): "
                                     + "\(page.events.count) event\(page.events.count == 1 ? "" : "s") on the first page, \(more)")]
        } catch {
            return [token, Self.refusal(error)]
        }
    }

    /// Today's UTC window up to `nowMillis`.
    static func today(nowMillis: Int64) -> ActivityWindow {
        let (day, _) = ActivityWindowPlanner.floorDivide(nowMillis, 86_400_000)
        return ActivityWindow(startMillis: day * 86_400_000, endMillis: nowMillis)
    }

    /// Power BI's own words for a refused admin API request.
    static func refusal(_ error: any Error) -> DoctorCheck {
        let name = "activity events"
        return ProbeFailure.check(name, error, target: "the Power BI admin API") { error in
            switch error.status {
            case 401, 403:
                return .fail(name, "Power BI refused the admin API to this service principal (HTTP \(error.status ?? 403))"
                                 + " although Entra ID issued its token",
                             fix: "add the service principal to the security group allowed to use read-only admin APIs "
                                 + "(Fabric admin portal → Tenant settings → Admin API settings), and remove any "
                                 + "admin-consent Power BI permissions from the app registration")
            case 400:
                return .fail(name, "Power BI refused the request (HTTP 400): \(ProbeFailure.excerpt(error.message))",
                             fix: "check filter: (Activity and UserId with eq and 'and' only)")
            default:
                return nil
            }
        }
    }

    /// Takes a token from `limiter` unless that means waiting longer than `limit`.
    static func acquire(_ limiter: RateLimiter, within limit: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { (try? await limiter.acquire()) != nil }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}

/// The run's authorizer without its second chance: a rejected token is final.
private struct NoSecondToken: Authorizer {
    let base: any Authorizer

    init(_ base: any Authorizer) { self.base = base }

    func authorizationHeader() async throws -> (name: String, value: String) { try await base.authorizationHeader() }

    func invalidate(rejected value: String) async -> Bool { false }
}
