import AsyncHTTPClient
import Foundation
import NIOCore
import SluiceEmulators
import Synchronization
import Testing
import NIOHTTP1

/// Self-tests of the cursor-feed emulator and the shared emulator pieces, over real HTTP on 127.0.0.1.
@Suite struct CursorFeedEmulatorTests {
    // MARK: - Paging and filtering

    @Test func pagingToTheEndReturnsEveryRowOnceInOrder() async throws {
        let feed = CursorFeedEmulator()
        let pages = try await EmulatorServer.withRunning(feed) { base async throws in
            try await readAll(base + "/access-requests?page_size=100")
        }
        #expect(pages.map(\.rows.count) == [100, 100, 50])
        let rows = pages.flatMap(\.rows)
        #expect(rows.map { $0["id"] as? Int } == Array(1...250))
        let instants = rows.compactMap { $0["updated_at_utc"] as? String }
        #expect(instants.count == 250 && instants == instants.sorted())
        #expect(instants.first == "2026-01-01T00:00:00Z" && instants[5] == "2026-01-01T00:05:00Z")
        #expect(pages.last?.nextCursor == nil && pages.allSatisfy { $0.schemaVersion == 1 })
        #expect(feed.journal.requestCount == 3)
        #expect(feed.journal.requests.map { $0.queryValue("page_size") } == ["100", "100", "100"])
        #expect(feed.journal.requests.last?.queryValue("cursor") == pages[1].nextCursor)
    }

    @Test func rowsCarryEveryJSONShapeWithTextThatNeedsEscaping() async throws {
        let feed = CursorFeedEmulator(.init(rowCount: 10))
        let page = try await EmulatorServer.withRunning(feed) { try await get($0 + "/access-requests") }
        #expect(page.body.contains(#""amount":"#) && page.body.contains(#""note":null"#))
        let rows = try #require(try page.decoded()).rows
        let row3 = try #require(rows.first { $0["id"] as? Int == 3 })
        #expect(row3["name"] as? String == #"item 3, "special""#)
        #expect(row3["created_on"] as? String == "2025-12-04")
        #expect(row3["tags"] as? [String] == ["a", "b"])
        #expect((row3["owner"] as? [String: Any])?["name"] as? String == "owner 3")
        #expect(rows.contains { ($0["note"] as? String)?.contains("\n") == true })
        #expect(page.body.range(of: #""amount":\d+\.\d\d,"#, options: .regularExpression) != nil)
    }

    @Test func updatedSinceIsInclusiveAndComparedAsInstants() async throws {
        let feed = CursorFeedEmulator()
        let forms = ["2026-01-01T01:00:00Z", "2026-01-01T01:00:00.000Z", "2026-01-01%2001:00:00",
                     "2026-01-01T02:00:00%2B01:00"]
        try await EmulatorServer.withRunning(feed) { base async throws in
            for since in forms {
                let page = try #require(try await get(base + "/access-requests?updated_since=\(since)").decoded())
                #expect(page.rows.first?["id"] as? Int == 61, "since \(since)")
                #expect(page.rows.first?["updated_at_utc"] as? String == "2026-01-01T01:00:00Z")
            }
            let bad = try await get(base + "/access-requests?updated_since=yesterday")
            #expect(bad.status == 400 && bad.body.contains("invalid_updated_since"))
        }
    }

    @Test func aCursorMayRepeatTheSinceFilterButNotChangeIt() async throws {
        let feed = CursorFeedEmulator()
        try await EmulatorServer.withRunning(feed) { base async throws in
            let url = base + "/access-requests?updated_since=2026-01-01T01:00:00Z&page_size=10"
            let cursor = try #require(try await get(url).decoded()?.nextCursor)
            let repeated = try #require(try await get(url + "&cursor=\(cursor)").decoded())
            #expect(repeated.rows.first?["id"] as? Int == 71)
            let omitted = try #require(try await get(base + "/access-requests?page_size=10&cursor=\(cursor)").decoded())
            #expect(omitted.rows.first?["id"] as? Int == 71)
            let changed = try await get(base + "/access-requests?updated_since=2026-01-01T02:00:00Z&cursor=\(cursor)")
            #expect(changed.status == 400 && changed.body.contains("cursor_mismatch"))
            let forged = try await get(base + "/access-requests?cursor=not-a-cursor")
            #expect(forged.status == 400 && forged.body.contains("invalid_cursor"))
        }
    }

    @Test func pageSizeDefaultsTo100AndIsClampedTo1000() async throws {
        let feed = CursorFeedEmulator(.init(rowCount: 1500))
        try await EmulatorServer.withRunning(feed) { base async throws in
            #expect(try await get(base + "/access-requests").decoded()?.rows.count == 100)
            #expect(try await get(base + "/access-requests?page_size=5000").decoded()?.rows.count == 1000)
            #expect(try await get(base + "/access-requests?page_size=0").status == 400)
        }
    }

    // MARK: - Mutations

    @Test func touchedAndAppendedRowsAppearAfterTheLastWatermark() async throws {
        let feed = CursorFeedEmulator()
        try await EmulatorServer.withRunning(feed) { base async throws in
            let first = try await readAll(base + "/access-requests?page_size=1000").flatMap(\.rows)
            let watermark = try #require(first.last?["updated_at_utc"] as? String)
            feed.touch(ids: [10, 5], at: Date(timeIntervalSince1970: 1_769_904_000))  // 2026-02-01
            #expect(feed.append(count: 3) == [251, 252, 253])
            let since = try await readAll(base + "/access-requests?updated_since=\(watermark)").flatMap(\.rows)
            #expect(since.map { $0["id"] as? Int } == [250, 5, 10, 251, 252, 253])
            let touched = try #require(since.first { $0["id"] as? Int == 5 })
            #expect(touched["name"] as? String == "item 5 rev 1")
            #expect(touched["updated_at_utc"] as? String == "2026-02-01T00:00:00Z")
            #expect(since.last?["updated_at_utc"] as? String == "2026-02-01T00:03:00Z")
            #expect(feed.orderedIDs(updatedSince: Date(timeIntervalSince1970: 1_769_904_000)) == [5, 10, 251, 252, 253])
        }
    }

    @Test func rowsTouchedBetweenPagesMoveBehindTheCursorAndAreNeverSkipped() async throws {
        let feed = CursorFeedEmulator()
        try await EmulatorServer.withRunning(feed) { base async throws in
            let firstPage = try #require(try await get(base + "/access-requests").decoded())
            feed.touch(ids: [150, 50], at: Date(timeIntervalSince1970: 1_769_904_000))
            var ids = firstPage.rows.compactMap { $0["id"] as? Int }
            let rest = try await readAll(base + "/access-requests", cursor: firstPage.nextCursor)
            ids += rest.flatMap(\.rows).compactMap { $0["id"] as? Int }
            // 150 (not yet served) moves to the end instead of being skipped; 50 (served) is served again.
            #expect(ids == Array(1...149) + Array(151...250) + [50, 150])
        }
    }

    @Test func rowsFromTheGrowthIndexOnCarryANewFieldAndSchemaVersion2() async throws {
        let feed = CursorFeedEmulator(.init(schemaGrowthAtRow: 150))
        let pages = try await EmulatorServer.withRunning(feed) { try await readAll($0 + "/access-requests") }
        #expect(pages.map(\.schemaVersion) == [1, 2, 2])
        let rows = pages.flatMap(\.rows)
        #expect(rows.filter { $0["region"] != nil }.map { $0["id"] as? Int } == Array(150...250))
    }

    // MARK: - Authentication

    @Test func aMissingOrWrongTokenIsRefusedWith401() async throws {
        let feed = CursorFeedEmulator(.init(expectedToken: "right-token"))
        try await EmulatorServer.withRunning(feed) { base async throws in
            let missing = try await get(base + "/access-requests")
            #expect(missing.status == 401)
            let wrong = try await get(base + "/access-requests", token: "wrong-token")
            #expect(wrong.status == 401 && wrong.body == #"{"error":"invalid_token"}"#)
            #expect(try await get(base + "/access-requests", token: "right-token").status == 200)
            feed.setExpectedToken("rotated-token")
            #expect(try await get(base + "/access-requests", token: "right-token").status == 401)
        }
        #expect(feed.journal.requests.map(\.authorizationScheme) == [nil, "Bearer", "Bearer", "Bearer"])
        #expect(!feed.journal.requests.description.contains("right-token"))
        #expect(feed.journal.statusCounts == [401: 3, 200: 1])
    }

    // MARK: - Faults

    @Test func anInjectedFailureHitsExactlyTheNthRequest() async throws {
        let feed = CursorFeedEmulator()
        feed.faults.failRequest(2, status: 429, retryAfter: "3")
        try await EmulatorServer.withRunning(feed) { base async throws in
            let url = base + "/access-requests"
            #expect(try await get(url).status == 200)
            let throttled = try await get(url)
            #expect(throttled.status == 429 && throttled.retryAfter == "3")
            #expect(try await get(url).status == 200)
            feed.faults.failNextRequests(2, status: 503)
            feed.faults.setDelay(.milliseconds(20))
            #expect(try await get(url).status == 503)
            #expect(try await get(url).status == 503)
            #expect(try await get(url).decoded()?.rows.count == 100)
        }
        #expect(feed.journal.statusCounts == [200: 3, 429: 1, 503: 2])
        #expect(feed.journal.requests.map(\.number).sorted() == Array(1...6))
    }

    @Test func aTruncatedPageDoesNotParseAndTheRetryDoes() async throws {
        let feed = CursorFeedEmulator()
        feed.faults.truncateResponse(toRequest: 2)
        try await EmulatorServer.withRunning(feed) { base async throws in
            let first = try #require(try await get(base + "/access-requests").decoded())
            let next = base + "/access-requests?cursor=\(try #require(first.nextCursor))"
            let broken = try await get(next)
            #expect(broken.status == 200 && broken.body.hasPrefix(#"{"rows":[{"id":101,"#))
            #expect(throws: (any Error).self) { try broken.decoded() }
            #expect(try await get(next).decoded()?.rows.first?["id"] as? Int == 101)
        }
    }

    @Test func anOversizedPageIsAsLargeAsAsked() async throws {
        let feed = CursorFeedEmulator()
        feed.faults.oversizeResponse(toRequest: 1, megabytes: 2)
        let page = try await EmulatorServer.withRunning(feed) { try await get($0 + "/access-requests", limit: 4 << 20) }
        #expect(page.status == 200 && page.body.utf8.count > 2 * 1_048_576)
    }

    // MARK: - Host and token endpoint

    @Test func severalEmulatorsRunAtOnceOnTheirOwnPorts() async throws {
        let feeds = [CursorFeedEmulator(.init(dataset: "a")), CursorFeedEmulator(.init(dataset: "b", rowCount: 3))]
        let tokens = OAuthTokenEndpoint(.init(clientID: "id", clientSecret: "secret"))
        try await EmulatorServer.withRunning([feeds[0], feeds[1], tokens] as [any Emulator]) { urls async throws in
            #expect(Set(urls.map { URL(string: $0)?.port }).count == 3)
            #expect(try await get(urls[0] + "/a").decoded()?.rows.count == 100)
            #expect(try await get(urls[1] + "/b").decoded()?.rows.count == 3)
            #expect(try await get(urls[1] + "/a").status == 404)
        }
    }

    @Test func theTokenEndpointIssuesTokensOnlyForItsClientAndExpiresThemOnRequest() async throws {
        let endpoint = OAuthTokenEndpoint(.init(clientID: "client", clientSecret: "s3cret", expiresInStyle: .string))
        try await EmulatorServer.withRunning(endpoint) { base async throws in
            let basic = "Basic " + Data("client:s3cret".utf8).base64EncodedString()
            let viaBasic = try await post(base + "/oauth/token?grant_type=client_credentials", authorization: basic)
            #expect(viaBasic.status == 200 && viaBasic.body.contains(#""expires_in":"3599""#))
            let form = "grant_type=client_credentials&client_id=client&client_secret=s3cret"
            let viaForm = try await post(base + "/oauth/token", form: form)
            let token = try #require(try viaForm.json()["access_token"] as? String)
            #expect(endpoint.isValid(token) && endpoint.tokensIssued == 2)
            let wrong = try await post(base + "/oauth/token", form: "grant_type=client_credentials&client_id=client&client_secret=x")
            #expect(wrong.status == 401 && wrong.body.contains("invalid_client"))
            #expect(try await post(base + "/oauth/token", form: "client_id=client&client_secret=s3cret").status == 400)
            endpoint.expireAllTokens()
            #expect(!endpoint.isValid(token) && !endpoint.isValid("never-issued"))
        }
        #expect(!endpoint.journal.requests.description.contains("s3cret"))
    }

    @Test func jwtTokensCarryAnExpiryClaimAndLapseWithTime() async throws {
        let clock = TestClock(now: Date(timeIntervalSince1970: 1_767_225_600))
        let endpoint = OAuthTokenEndpoint(
            .init(clientID: "c", clientSecret: "s", lifetimeSeconds: 60, tokenStyle: .jwt),
            now: { clock.now }
        )
        let response = try await EmulatorServer.withRunning(endpoint) { base async throws in
            try await post(base + "/oauth/token", form: "grant_type=client_credentials&client_id=c&client_secret=s")
        }
        let token = try #require(try response.json()["access_token"] as? String)
        let parts = token.split(separator: ".")
        #expect(parts.count == 3)
        var payload = String(parts[1])
        payload += String(repeating: "=", count: (4 - payload.count % 4) % 4)
        let claims = try #require(Data(base64Encoded: payload.replacingOccurrences(of: "-", with: "+")
            .replacingOccurrences(of: "_", with: "/")).flatMap { try JSONSerialization.jsonObject(with: $0) as? [String: Any] })
        #expect(claims["exp"] as? Int == 1_767_225_660)
        #expect(endpoint.isValid(token))
        clock.advance(seconds: 61)
        #expect(!endpoint.isValid(token))
    }
}

// MARK: - Helpers

/// A settable clock for token expiry.
private final class TestClock: Sendable {
    private let seconds: Mutex<TimeInterval>
    init(now: Date) { seconds = Mutex(now.timeIntervalSince1970) }
    var now: Date { Date(timeIntervalSince1970: seconds.withLock { $0 }) }
    func advance(seconds delta: TimeInterval) { seconds.withLock { $0 += delta } }
}

private struct FeedPage {
    var rows: [[String: Any]]
    var nextCursor: String?
    var schemaVersion: Int?
}

private struct HTTPAnswer {
    var status: Int
    var retryAfter: String?
    var body: String

    func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else {
            throw CocoaError(.coderReadCorrupt)
        }
        return object
    }

    /// The page, or nil for a non-200 answer; throws when a 200 body is not a feed page.
    func decoded() throws -> FeedPage? {
        guard status == 200 else { return nil }
        let object = try json()
        guard let rows = object["rows"] as? [[String: Any]] else { throw CocoaError(.coderReadCorrupt) }
        return FeedPage(rows: rows, nextCursor: object["nextCursor"] as? String, schemaVersion: object["schemaVersion"] as? Int)
    }
}

private func get(_ url: String, token: String? = nil, limit: Int = 1 << 20) async throws -> HTTPAnswer {
    var request = HTTPClientRequest(url: url)
    if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
    return try await send(request, limit: limit)
}

private func post(_ url: String, form: String = "", authorization: String? = nil) async throws -> HTTPAnswer {
    var request = HTTPClientRequest(url: url)
    request.method = .POST
    request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
    if let authorization { request.headers.add(name: "Authorization", value: authorization) }
    request.body = .bytes(ByteBuffer(string: form))
    return try await send(request, limit: 1 << 20)
}

private func send(_ request: HTTPClientRequest, limit: Int) async throws -> HTTPAnswer {
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
    let body = try await response.body.collect(upTo: limit)
    return HTTPAnswer(status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"),
                      body: String(buffer: body))
}

/// Follows `nextCursor` until it is null (at most 50 pages), keeping the query's other parameters.
private func readAll(_ url: String, cursor: String? = nil) async throws -> [FeedPage] {
    var pages: [FeedPage] = []
    var cursor = cursor
    for _ in 0..<50 {
        let separator = url.contains("?") ? "&" : "?"
        let pageURL = cursor.map { url + separator + "cursor=" + $0 } ?? url
        let answer = try await get(pageURL)
        guard let page = try answer.decoded() else { throw CocoaError(.coderReadCorrupt) }
        pages.append(page)
        guard let next = page.nextCursor else { return pages }
        cursor = next
    }
    Issue.record("feed did not end within 50 pages")
    return pages
}
