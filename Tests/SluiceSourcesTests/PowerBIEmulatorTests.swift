import AsyncHTTPClient
import Foundation
import NIOCore
import SluiceEmulators
import Testing
import NIOHTTP1

/// Self-tests of the Power BI activity emulator's rules, over real HTTP on 127.0.0.1.
@Suite struct PowerBIEmulatorTests {
    static let configuration = PowerBIActivityEmulator.Configuration(tenantID: "t1", clientID: "c1", clientSecret: "s1")
    static let scope = "https%3A%2F%2Fanalysis.windows.net%2Fpowerbi%2Fapi%2F.default"

    @Test func theTokenEndpointChecksTenantCredentialsAndScope() async throws {
        let emulator = PowerBIActivityEmulator(Self.configuration)
        try await EmulatorServer.withRunning(emulator) { base async throws in
            let good = "client_id=c1&client_secret=s1&scope=\(Self.scope)&grant_type=client_credentials"
            #expect(try await pbiPost(base + "/t1/oauth2/v2.0/token", form: good).status == 200)
            #expect(try await pbiPost(base + "/t2/oauth2/v2.0/token", form: good).status == 400)
            let wrongScope = good.replacingOccurrences(of: "%2F.default", with: "")
            #expect(try await pbiPost(base + "/t1/oauth2/v2.0/token", form: wrongScope).status == 400)
            let wrongSecret = good.replacingOccurrences(of: "s1", with: "s2")
            #expect(try await pbiPost(base + "/t1/oauth2/v2.0/token", form: wrongSecret).status == 401)
            #expect(emulator.tokensIssued == 1)
        }
    }

    @Test func datesMustBeQuotedInOneUTCDayAndNeverSentWithAToken() async throws {
        let emulator = PowerBIActivityEmulator(Self.configuration)
        try await EmulatorServer.withRunning(emulator) { base async throws in
            let token = try await pbiToken(base)
            let api = base + "/v1.0/myorg/admin/activityevents?"
            let day = emulator.days[0]
            #expect(try await pbiGet(api + "startDateTime='\(day)T00:00:00.000Z'&endDateTime='\(day)T23:59:59.999Z'").status == 401)
            let ok = try await pbiGet(api + "startDateTime=%27\(day)T00:00:00.000Z%27&endDateTime='\(day)T23:59:59.999Z'", token: token)
            #expect(ok.status == 200 && ok.body.contains("\"continuationToken\":\"%2BRID%3A~"))
            let unquoted = try await pbiGet(api + "startDateTime=\(day)T00:00:00.000Z&endDateTime='\(day)T23:59:59.999Z'", token: token)
            #expect(unquoted.status == 400 && unquoted.body.contains("single quotes"))
            let twoDays = try await pbiGet(api + "startDateTime='\(day)T00:00:00.000Z'&endDateTime='\(emulator.days[1])T00:00:01.000Z'", token: token)
            #expect(twoDays.status == 400 && twoDays.body.contains("same UTC day"))
            let both = try await pbiGet(api + "continuationToken='x'&startDateTime='\(day)T00:00:00Z'&endDateTime='\(day)T01:00:00Z'", token: token)
            #expect(both.status == 400)
        }
    }

    @Test func aChainServesEveryEventOnceAndEndsWithTheDocumentedLastPage() async throws {
        let emulator = PowerBIActivityEmulator(Self.configuration)
        try await EmulatorServer.withRunning(emulator) { base async throws in
            let token = try await pbiToken(base)
            var ids: [String] = []
            for day in emulator.days {
                var url: String? = base + "/v1.0/myorg/admin/activityevents?startDateTime='\(day)T00:00:00.000Z'&endDateTime='\(day)T23:59:59.999Z'"
                var last = ""
                for _ in 0..<50 {
                    guard let next = url else { break }
                    let page = try await pbiGet(next, token: token)
                    #expect(page.status == 200)
                    let object = try #require(try JSONSerialization.jsonObject(with: Data(page.body.utf8)) as? [String: Any])
                    ids += (object["activityEventEntities"] as? [[String: Any]] ?? []).compactMap { $0["Id"] as? String }
                    url = object["continuationUri"] as? String
                    last = page.body
                }
                #expect(last == #"{"activityEventEntities":[],"continuationUri":null,"continuationToken":null,"lastResultSet":false}"#)
            }
            #expect(ids.count == emulator.eventCount && Set(ids) == Set(emulator.eventIDs))
        }
    }
}

/// A token from the emulator's Entra endpoint for tenant t1.
private func pbiToken(_ base: String) async throws -> String {
    let form = "client_id=c1&client_secret=s1&scope=\(PowerBIEmulatorTests.scope)&grant_type=client_credentials"
    let body = try await pbiPost(base + "/t1/oauth2/v2.0/token", form: form).body
    let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
    return try #require(object?["access_token"] as? String)
}

private struct PBIAnswer {
    var status: Int
    var body: String
}

private func pbiGet(_ url: String, token: String? = nil) async throws -> PBIAnswer {
    var request = HTTPClientRequest(url: url)
    if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
    return try await pbiSend(request)
}

private func pbiPost(_ url: String, form: String) async throws -> PBIAnswer {
    var request = HTTPClientRequest(url: url)
    request.method = .POST
    request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
    request.body = .bytes(ByteBuffer(string: form))
    return try await pbiSend(request)
}

private func pbiSend(_ request: HTTPClientRequest) async throws -> PBIAnswer {
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
    let body = try await response.body.collect(upTo: 4 << 20)
    return PBIAnswer(status: Int(response.status.code), body: String(buffer: body))
}
