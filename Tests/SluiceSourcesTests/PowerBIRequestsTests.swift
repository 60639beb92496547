import SluiceCore
import SluiceWire
import SluiceSources
import Testing

/// URL building, quoting and the continuation policy of the Power BI activity source, without I/O.
@Suite struct PowerBIRequestsTests {
    static func settings(cloud: String = "public", apiBase: String? = nil, filter: String? = nil,
                         hosts: [String] = []) -> PowerBISettings {
        PowerBISettings(cloud: cloud, apiBase: apiBase, tenantID: .env("T"), clientID: .env("C"),
                        clientSecret: .env("S"), filter: filter, continuationHosts: hosts)
    }

    static func requests(apiBase: String? = nil, filter: String? = nil, hosts: [String] = []) throws -> ActivityEventsRequests {
        let s = settings(apiBase: apiBase, filter: filter, hosts: hosts)
        return ActivityEventsRequests(endpoints: try PowerBIEndpoints(s), filter: s.filter, continuationHosts: hosts)
    }

    static let day = ActivityWindow(startMillis: 1_795_132_800_000, endMillis: 1_795_132_800_000 + 86_399_999)
    static let api = "https://api.powerbi.com/v1.0/myorg/admin/activityevents"

    @Test func theFirstRequestQuotesBothInstantsAndPercentEncodesThem() throws {
        #expect(Self.day.startText == "2026-11-20T00:00:00.000Z" && Self.day.endText == "2026-11-20T23:59:59.999Z")
        #expect(try Self.requests().firstPageURL(Self.day) == Self.api
            + "?startDateTime=%272026-11-20T00%3A00%3A00.000Z%27&endDateTime=%272026-11-20T23%3A59%3A59.999Z%27")
    }

    @Test func aFilterTravelsAsDollarFilterWithItsQuotesEncoded() throws {
        let url = try Self.requests(filter: "Activity eq 'ViewReport'").firstPageURL(Self.day)
        #expect(url.hasSuffix("&$filter=Activity%20eq%20%27ViewReport%27"))
    }

    @Test func aBareContinuationTokenIsQuotedButNotEncodedTwice() throws {
        let r = try Self.requests()
        #expect(r.tokenURL("%2BRID%3A~abc%3D%3D") == Self.api + "?continuationToken='%2BRID%3A~abc%3D%3D'")
        // Bytes that would break the query are still encoded.
        #expect(r.tokenURL("a b&c#d'") == Self.api + "?continuationToken='a%20b%26c%23d%27'")
    }

    @Test func theChainEndsOnANullTokenNotOnLastResultSetFalse() throws {
        let r = try Self.requests()
        let documentedLast = try ActivityEventsPage.parse(Array(
            #"{"activityEventEntities":[],"continuationUri":null,"continuationToken":null,"lastResultSet":false}"#.utf8),
            step: "page 2")
        #expect(documentedLast.events.isEmpty && documentedLast.continuationToken == nil)
        #expect(try r.next(after: documentedLast, step: "page 2") == .done)
        #expect(try r.next(after: ActivityEventsPage(events: [], continuationToken: "x", lastResultSet: true),
                           step: "p") == .done)
    }

    @Test func anEmptyPageWithATokenContinues() throws {
        let r = try Self.requests()
        let empty = ActivityEventsPage(events: [], continuationURI: nil, continuationToken: "%2BRID")
        #expect(try r.next(after: empty, step: "p") == .fetch(Self.api + "?continuationToken='%2BRID'"))
    }

    @Test func continuationURIsAreFollowedToTheAPIHostAndAnalysisWindowsNet() throws {
        let r = try Self.requests()
        for uri in [Self.api + "?continuationToken='%2BRID'",
                    "https://wabi-west-us-redirect.analysis.windows.net/v1.0/myorg/admin/activityevents?continuationToken='x'"] {
            let page = ActivityEventsPage(events: [], continuationURI: uri, continuationToken: "x")
            #expect(try r.next(after: page, step: "p") == .fetch(uri))
        }
    }

    @Test func aContinuationURIToAnotherHostIsRefusedNamingTheHost() throws {
        let r = try Self.requests()
        for uri in ["https://evil.example.com/activityevents?continuationToken='x'",
                    "http://wabi.analysis.windows.net/activityevents?continuationToken='x'",
                    "https://evilanalysis.windows.net/x"] {
            let page = ActivityEventsPage(events: [], continuationURI: uri, continuationToken: "x")
            #expect(throws: SluiceError.self) { try r.next(after: page, step: "page 4 of activity events 2026-11-20") }
        }
        let page = ActivityEventsPage(events: [], continuationURI: "https://evil.example.com/a?continuationToken='secret'",
                                      continuationToken: "x")
        let error = #expect(throws: SluiceError.self) { try r.next(after: page, step: "page 4") }
        #expect(error?.message.contains("refusing to send the token to evil.example.com") == true)
        #expect(error?.message.contains("secret") == false)
    }

    @Test func continuationHostsFromTheJobFileWidenThePolicy() throws {
        let r = try Self.requests(apiBase: "http://127.0.0.1:8080/v1.0/myorg", hosts: ["localhost", "*.example.net"])
        #expect(r.isAllowedContinuation("http://127.0.0.1:8080/v1.0/myorg/admin/activityevents?x"))
        #expect(r.isAllowedContinuation("http://localhost:8080/v1.0/myorg/admin/activityevents?x"))
        #expect(r.isAllowedContinuation("https://a.b.example.net/x"))
        #expect(!r.isAllowedContinuation("http://a.example.net/x"))  // plain http only to loopback
        #expect(!r.isAllowedContinuation("https://example.net/x"))
        #expect(!r.isAllowedContinuation("http://127.0.0.2:8080/x"))
        #expect(!(try Self.requests()).isAllowedContinuation("http://localhost:8080/x"))
    }

    @Test func cloudPresetsFillTheThreeURLsAndExplicitKeysWin() throws {
        let expected: [(String, String, String, String)] = [
            ("public", "https://login.microsoftonline.com", "https://analysis.windows.net/powerbi/api/.default",
             "https://api.powerbi.com/v1.0/myorg"),
            ("gcc", "https://login.microsoftonline.com", "https://analysis.usgovcloudapi.net/powerbi/api/.default",
             "https://api.powerbigov.us/v1.0/myorg"),
            ("gcc-high", "https://login.microsoftonline.us", "https://high.analysis.usgovcloudapi.net/powerbi/api/.default",
             "https://api.high.powerbigov.us/v1.0/myorg"),
            ("dod", "https://login.microsoftonline.us", "https://mil.analysis.usgovcloudapi.net/powerbi/api/.default",
             "https://api.mil.powerbigov.us/v1.0/myorg"),
            ("china", "https://login.chinacloudapi.cn", "https://analysis.chinacloudapi.cn/powerbi/api/.default",
             "https://api.powerbi.cn/v1.0/myorg"),
        ]
        for (cloud, authority, scope, api) in expected {
            let e = try PowerBIEndpoints(Self.settings(cloud: cloud))
            #expect(e.authority == authority && e.scope == scope && e.apiBase == api, "\(cloud)")
        }
        var s = Self.settings(cloud: "gcc")
        s.authority = "http://127.0.0.1:9/"
        s.scopeResource = "https://example/api/.default"
        s.apiBase = "http://127.0.0.1:9/v1.0/myorg/"
        let e = try PowerBIEndpoints(s)
        #expect(e.tokenURL(tenant: "contoso.onmicrosoft.com") == "http://127.0.0.1:9/contoso.onmicrosoft.com/oauth2/v2.0/token")
        #expect(e.scope == "https://example/api/.default")
        #expect(e.activityEventsURL == "http://127.0.0.1:9/v1.0/myorg/admin/activityevents")
    }

    @Test func aMalformedPageNamesTheStep() {
        let error = #expect(throws: SluiceError.self) {
            try ActivityEventsPage.parse(Array(#"{"activityEventEntities":[{"Id":"#.utf8),
                                         step: "page 3 of activity events 2026-11-20")
        }
        #expect(error?.step == "page 3 of activity events 2026-11-20")
        #expect(error?.message.contains("malformed JSON") == true)
    }
}
