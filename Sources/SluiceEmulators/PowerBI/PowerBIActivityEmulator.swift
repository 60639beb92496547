package import Foundation
package import Hummingbird
import Synchronization

/// Emulates the Power BI admin "Get Activity Events" API and its Entra ID v2.0 token endpoint.
///
/// Routes, on one loopback server whose URL serves as both the job's `authority` and (with `/v1.0/myorg`) its
/// `api_base`:
/// - `POST /{tenant}/oauth2/v2.0/token`: form `client_id`, `client_secret`, `scope={resource}/.default`,
///   `grant_type=client_credentials` (an ``OAuthTokenEndpoint``);
/// - `GET /v1.0/myorg/admin/activityevents`: a Bearer token is required; either `continuationToken` or both
///   `startDateTime` and `endDateTime`, wrapped in single quotes and inside one UTC day, else 400 with a JSON
///   error; continuation token together with dates is a 400 too.
///
/// Events are generated for the last `dayCount` UTC days up to `now` (deterministic from day and index),
/// with fields that depend on the activity, zone-less `CreationTime`, pages of `pageSize` events, and the
/// documented endings. Knobs: an empty first page that carries a token, continuation URIs on another base
/// URL (`setContinuationBase`), expiring every token at request N, and ``FaultKnobs`` (429 with
/// `Retry-After` on request N). API requests are counted in `journal`; token requests in `tokenJournal`.
package final class PowerBIActivityEmulator: Emulator {
    /// How a window's chain ends.
    package enum Ending: Sendable {
        /// After the last events, one more page: `{"activityEventEntities":[],"continuationUri":null,
        /// "continuationToken":null,"lastResultSet":false}` (Microsoft's documented sample).
        case nullTokenPage
        /// The page with the last events says `lastResultSet: true` and still carries a token, which the
        /// client must not use (using it is a 400).
        case lastResultSet
    }

    /// What the pages carry to continue.
    package enum ContinuationStyle: Sendable {
        /// `continuationUri` and `continuationToken`, as the API usually answers.
        case uriAndToken
        /// Only `continuationToken` (`continuationUri` null): the client builds the next request itself.
        case tokenOnly
    }

    /// The fixed shape of the emulated tenant.
    package struct Configuration: Sendable {
        package var tenantID: String
        package var clientID: String
        package var clientSecret: String
        /// The token's scope must be exactly `{resource}/.default`.
        package var resource: String
        /// Days with events: the UTC day of `now` and the `dayCount - 1` before it.
        package var dayCount: Int
        /// Events generated per day (those after `now` are left out).
        package var eventsPerDay: Int
        package var pageSize: Int
        /// The emulator's "now": no event is later. Defaults to the wall clock when the emulator is made.
        package var now: Date
        /// The first answer of every chain has no events but a token.
        package var emptyFirstPage: Bool
        package var ending: Ending
        package var continuation: ContinuationStyle
        package var tokenLifetimeSeconds: Int
        /// Days (0 = today, 1 = yesterday, …) on which the tenant had no activity at all.
        package var quietDaysAgo: Set<Int> = []

        /// A tenant; only the credentials have no default.
        package init(tenantID: String, clientID: String, clientSecret: String,
                    resource: String = "https://analysis.windows.net/powerbi/api", dayCount: Int = 3,
                    eventsPerDay: Int = 40, pageSize: Int = 15, now: Date = Date(), emptyFirstPage: Bool = false,
                    ending: Ending = .nullTokenPage, continuation: ContinuationStyle = .uriAndToken,
                    tokenLifetimeSeconds: Int = 3599) {
            self.tenantID = tenantID
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.resource = resource
            self.dayCount = dayCount
            self.eventsPerDay = eventsPerDay
            self.pageSize = pageSize
            self.now = now
            self.emptyFirstPage = emptyFirstPage
            self.ending = ending
            self.continuation = continuation
            self.tokenLifetimeSeconds = tokenLifetimeSeconds
        }
    }

    struct Knobs {
        var continuationBase: String?
        var expireTokensAtRequest: Int?
        /// Continuation requests of chains on this UTC day (days since the epoch) are refused while
        /// `brokenChainsLeft` > 0.
        var brokenDay: Int64?
        var brokenChainsLeft = 0
        /// While set, the service principal may not use the admin APIs and valid tokens get this status.
        var adminAPIsDenied: Int?
    }

    /// The path of the API base under the server URL.
    package static let apiPath = "/v1.0/myorg"

    package let configuration: Configuration
    /// Requests to the activity events route (fault knob positions count these).
    package let journal = RequestJournal()
    /// Faults for the activity events route, by request number.
    package let faults = FaultKnobs()
    /// The clock of this server's `Date` headers (token route included).
    package let serverClock = ServerClock()
    let tokenEndpoint: OAuthTokenEndpoint
    let knobs = Mutex(Knobs())
    /// Every event, ordered by `CreationTime` then `Id`.
    let events: [PowerBIActivityEvent]

    package init(_ configuration: Configuration) {
        self.configuration = configuration
        tokenEndpoint = OAuthTokenEndpoint(.init(
            clientID: configuration.clientID, clientSecret: configuration.clientSecret,
            lifetimeSeconds: configuration.tokenLifetimeSeconds, tokenStyle: .jwt, tokenType: "Bearer",
            requiredScope: configuration.resource + "/.default"))
        let nowMillis = EmulatorTimestamp.millis(of: configuration.now)
        let today = Int(nowMillis / 86_400_000)
        var events: [PowerBIActivityEvent] = []
        for day in (today - max(1, configuration.dayCount) + 1)...today where !configuration.quietDaysAgo.contains(today - day) {
            for index in 0..<max(0, configuration.eventsPerDay) {
                let event = PowerBIActivityEvent(day: day, index: index, eventsPerDay: configuration.eventsPerDay)
                if event.millis <= nowMillis { events.append(event) }
            }
        }
        self.events = events.sorted { ($0.millis, $0.id) < ($1.millis, $1.id) }
    }

    /// Mounts the token route and the activity events route.
    package func addRoutes(to router: Router<BasicRequestContext>) {
        router.post("/:tenant/oauth2/v2.0/token") { request, context in
            guard context.parameters.get("tenant") == self.configuration.tenantID else {
                return Response.json(#"{"error":"invalid_request","error_description":"AADSTS90002: Tenant not found."}"#,
                                     status: .badRequest)
            }
            return try await self.tokenEndpoint.respond(to: request)
        }
        router.get(RouterPath(Self.apiPath + "/admin/activityevents")) { request, _ in
            try await self.respond(to: request)
        }
    }

    // MARK: - What tests read

    /// Refuses the next `times` continuation requests of chains on the UTC day `daysAgo` days before the
    /// emulator's now, with the 400 an expired continuation token gets: the chain breaks after its first page.
    package func breakChains(daysAgo: Int, times: Int = 1) {
        let today = EmulatorTimestamp.millis(of: configuration.now) / 86_400_000
        knobs.withLock {
            $0.brokenDay = today - Int64(daysAgo)
            $0.brokenChainsLeft = times
        }
    }

    /// Requests that reached the token route (a client should fetch one token per lifetime, not per run).
    package var tokenRequests: Int { tokenEndpoint.journal.requestCount }

    /// How many events a complete pull returns.
    package var eventCount: Int { events.count }

    /// The ids of every event.
    package var eventIDs: [String] { events.map(\.id) }

    /// How many events were created in `[from, to)` (instants as `Date`s).
    package func eventCount(from: Date, to: Date) -> Int {
        let (low, high) = (EmulatorTimestamp.millis(of: from), EmulatorTimestamp.millis(of: to))
        return events.count { $0.millis >= low && $0.millis < high }
    }

    /// The UTC days with events, `YYYY-MM-DD`, oldest first.
    package var days: [String] {
        var out: [String] = []
        for event in events {
            let day = EmulatorTimestamp.day(millis: event.millis)
            if out.last != day { out.append(day) }
        }
        return out
    }

    /// How many events fall on the UTC day `day` (`YYYY-MM-DD`).
    package func eventCount(onDay day: String) -> Int {
        events.filter { EmulatorTimestamp.day(millis: $0.millis) == day }.count
    }

    /// Token requests (the token route's own journal).
    package var tokenJournal: RequestJournal { tokenEndpoint.journal }

    /// How many tokens were issued.
    package var tokensIssued: Int { tokenEndpoint.tokensIssued }

    // MARK: - Knobs

    /// Serves continuation URIs on this base URL (`http://localhost:8080`) instead of the request's own host.
    package func setContinuationBase(_ base: String?) {
        knobs.withLock { $0.continuationBase = base }
    }

    /// Takes the service principal out of the security group the tenant setting "Allow service principals to use
    /// read-only admin APIs" names: a valid token then gets `status` (403; 401 was seen too)
    /// with `PowerBINotAuthorizedException`. nil lets it in again.
    package func denyAdminAPIs(status: Int?) {
        knobs.withLock { $0.adminAPIsDenied = status }
    }

    /// When API request `number` arrives, every token issued so far expires (that request gets a 401).
    package func expireTokens(atRequest number: Int?) {
        knobs.withLock { $0.expireTokensAtRequest = number }
    }
}
