import AsyncHTTPClient
import Foundation
import NIOCore
import SluiceCore
import SluiceEmulators
import Testing
import NIOHTTP1

/// Self-tests of the Citrix Monitor emulator over real HTTP on 127.0.0.1.
@Suite struct CitrixEmulatorTests {
    static let anchor = Date(timeIntervalSince1970: 1_722_927_600)  // 2024-08-06T07:00:00Z

    func emulator(rows: Int = 250) -> CitrixMonitorEmulator {
        CitrixMonitorEmulator(.init(customerID: "cust1", clientID: "id1", clientSecret: "s3cret",
                                    rowCounts: ["Sessions": rows, "Machines": 10], anchor: Self.anchor))
    }

    /// A token from the emulator's cctrustoauth2 route; checks `expires_in` is a string.
    func token(_ base: String) async throws -> String {
        let url = CitrixMonitorEmulator.tokenURL(forAPIBase: base).replacingAll("{customer_id}", with: "cust1")
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: "grant_type=client_credentials&client_id=id1&client_secret=s3cret"))
        let answer = try await send(request)
        #expect(answer.status == 200)
        let json = try JSONParser.parse(answer.body)
        #expect(json["expires_in"]?.stringValue == "3600")
        return try #require(json["access_token"]?.stringValue)
    }

    func get(_ url: String, authorization: String?, customer: String? = "cust1") async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: url)
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        if let customer { request.headers.add(name: "Citrix-CustomerId", value: customer) }
        return try await send(request)
    }

    func send(_ request: HTTPClientRequest) async throws -> (status: Int, body: String) {
        // Well above the 8 s hold of the overlap test: a slow machine must not turn a held request into a timeout.
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 22)))
    }

    @Test func pagesFollowNextLinkWithSkipTokenToTheEnd() async throws {
        let e = emulator()
        try await EmulatorServer.withRunning(e) { base async throws in
            let auth = "CWSAuth bearer=" + (try await token(base))
            var url: String? = base + "/Sessions?$filter=ModifiedDate%20ge%202024-08-01T00:00:00Z&$orderby=ModifiedDate%20asc"
            var counts: [Int] = []
            var stamps: [String] = []
            for _ in 0..<10 {
                guard let next = url else { break }
                let page = try await get(next, authorization: auth)
                #expect(page.status == 200)
                let json = try JSONParser.parse(page.body)
                let rows = json["value"]?.arrayValue ?? []
                counts.append(rows.count)
                stamps += rows.compactMap { $0["ModifiedDate"]?.stringValue }
                url = json["@odata.nextLink"]?.stringValue
                if let url { #expect(url.contains("$skiptoken=") && url.contains("$filter=")) }
            }
            #expect(counts == [100, 100, 50])
            #expect(stamps.contains { $0.hasSuffix(".72Z") || $0.range(of: #"\.\d\dZ$"#, options: .regularExpression) != nil })
            #expect(stamps.contains { $0.range(of: #":\d\dZ$"#, options: .regularExpression) != nil })
            #expect(stamps.last == e.changeDateText("Sessions", row: 250))
        }
    }

    @Test func theFilterIsHalfOpenAndQuotedDatesAreRejected() async throws {
        let e = emulator()
        try await EmulatorServer.withRunning(e) { base async throws in
            let auth = "CWSAuth bearer=" + (try await token(base))
            // The newest row is at 07:00:00Z, the rows are ten minutes apart.
            let ranged = try await get(base + "/Sessions?$filter=(ModifiedDate%20ge%202024-08-06T06:00:00Z%20and%20"
                                       + "ModifiedDate%20lt%202024-08-06T07:00:00Z)", authorization: auth)
            #expect(try JSONParser.parse(ranged.body)["value"]?.arrayValue?.count == 6)
            let quoted = try await get(base + "/Sessions?$filter=ModifiedDate%20ge%20'2024-08-06T06:00:00Z'",
                                       authorization: auth)
            #expect(quoted.status == 400 && quoted.body.contains("\"error\""))
            let top = try await get(base + "/Sessions?$top=3&$orderby=ModifiedDate%20desc", authorization: auth)
            let rows = try JSONParser.parse(top.body)["value"]?.arrayValue ?? []
            #expect(rows.count == 3 && rows.first?["ModifiedDate"]?.stringValue == e.changeDateText("Sessions", row: 250))
        }
    }

    @Test func headersFollowCitrixRules() async throws {
        let e = emulator()
        try await EmulatorServer.withRunning(e) { base async throws in
            let raw = try await token(base)
            #expect(try await get(base + "/Machines", authorization: "Bearer " + raw).status == 401)
            #expect(try await get(base + "/Machines", authorization: "CWSAuth bearer=" + raw, customer: nil).status == 401)
            #expect(try await get(base + "/Machines", authorization: "CWSAuth bearer=" + raw, customer: "other").status == 403)
            #expect(try await get(base + "/Machines", authorization: "CWSAuth bearer=" + raw).status == 200)
            let metadata = try await get(base + "/$metadata", authorization: "CWSAuth bearer=" + raw)
            #expect(metadata.status == 200 && metadata.body.contains("<EntitySet Name=\"Sessions\""))
            e.tokens.expireAllTokens()
            #expect(try await get(base + "/Machines", authorization: "CWSAuth bearer=" + raw).status == 401)
        }
    }

    @Test func overlappingCallsOfOneCustomerGet429AndAreCounted() async throws {
        let e = CitrixMonitorEmulator(.init(customerID: "cust1", clientID: "id1", clientSecret: "s3cret",
                                            rowCounts: ["Machines": 10], anchor: Self.anchor, holdTime: .seconds(8)))
        try await EmulatorServer.withRunning(e) { base async throws in
            let auth = "CWSAuth bearer=" + (try await token(base))
            let before = e.journal.requestCount
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                group.addTask { try await self.get(base + "/Machines", authorization: auth).status }
                // The second call starts only once the first has arrived and is held (8 s: under the full suite
                // on two cores the second call once took longer than 2 s to reach the server), so they overlap.
                for _ in 0..<500 where e.journal.requestCount == before { try await Task.sleep(for: .milliseconds(10)) }
                group.addTask { try await self.get(base + "/Machines", authorization: auth).status }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.sorted() == [200, 429])
            #expect(e.concurrencyViolations == 1)
        }
    }

    @Test func modifiedRowsMoveTheirChangeDate() {
        let e = emulator()
        let before = e.changeDateText("Sessions", row: 3)
        e.modify("Sessions", rows: [3], at: Self.anchor.addingTimeInterval(120))
        #expect(before != e.changeDateText("Sessions", row: 3))
        #expect(e.changeDateText("Sessions", row: 3) == "2024-08-06T07:02:00.000Z")
    }
}
