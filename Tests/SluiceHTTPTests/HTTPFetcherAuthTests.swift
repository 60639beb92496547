import Foundation
import SluiceCore
import SluiceHTTP
import Synchronization
import Testing

/// 401 refresh, token endpoints and redirects, live over loopback.
@Suite struct HTTPFetcherAuthTests {
    @Test func a401FetchesANewTokenAndRetriesOnce() async throws {
        let issued = Mutex(0)
        let cache = OAuthTokenCache(fetch: {
            let n = issued.withLock { count in
                count += 1
                return count
            }
            return OAuthToken(accessToken: n == 1 ? "token-A" : "token-B", expiresAt: Date().addingTimeInterval(3600))
        })
        try await TestServer.run(handler: { request in
            request.headers["authorization"] == "Bearer token-B" ? .text(200, "ok") : .text(401, "expired")
        }) { base, log in
            try await withFetcher { fetcher in
                let response = try await fetcher.send(.get("\(base)/data", step: "page 1"), authorizer: cache)
                #expect(response.status == 200)
                #expect(log.all.map { $0.headers["authorization"] } == ["Bearer token-A", "Bearer token-B"])
                #expect(await cache.fetchCount == 2)
            }
        }
    }

    @Test func a401AfterTheRefreshFailsWithAClearMessage() async throws {
        let cache = OAuthTokenCache(fetch: { OAuthToken(accessToken: "never-good", expiresAt: Date().addingTimeInterval(3600)) })
        try await TestServer.run(handler: { _ in .text(401, "no") }) { base, log in
            try await withFetcher { fetcher in
                let error = await sluiceError { _ = try await fetcher.send(.get("\(base)/data", step: "page 1"), authorizer: cache) }
                #expect(error?.kind == .auth && error?.isRetryable == false)
                #expect(error?.status == 401)
                #expect(error?.message.contains("401 Unauthorized") == true)
                #expect(error?.message.contains("even after fetching a new one") == true)
                #expect(log.count == 2)
            }
        }
    }

    @Test func aStaticTokenRejectedIsNotRetried() async throws {
        let redactor = Redactor()
        try await TestServer.run(handler: { _ in .text(401, "bad token") }) { base, log in
            try await withFetcher(redactor: redactor) { fetcher in
                let bearer = StaticBearer(token: "static-token-value", redactor: redactor)
                let error = await sluiceError { _ = try await fetcher.send(.get("\(base)/feed", step: "page 1"), authorizer: bearer) }
                #expect(error?.message.hasPrefix("401 Unauthorized from \(base)/feed: the token was rejected; check the secret") == true)
                #expect(log.count == 1)
            }
        }
    }

    @Test func aCrossHostRedirectArrivesWithoutAuthorization() async throws {
        try await TestServer.run(host: "127.0.0.2", handler: { request in
            .text(200, "id,name\n1,a\n")
        }) { storage, storageLog in
            try await TestServer.run(host: "127.0.0.1", handler: { request in
                switch request.path {
                case "/download": .text(302, "", headers: [("Location", "\(storage)/r.csv?Expires=1&Signature=sig-abc")])
                case "/moved": .text(307, "", headers: [("Location", "/download")])
                default: .text(404, "")
                }
            }) { api, apiLog in
                try await withFetcher { fetcher in
                    let bearer = StaticBearer(token: "api-token-123", redactor: Redactor())
                    let response = try await fetcher.send(.get("\(api)/moved", step: "download"), authorizer: bearer)
                    #expect(response.text == "id,name\n1,a\n")
                    #expect(response.url.hasPrefix(storage))
                    // Same-host hops carry the token; the storage host never sees it.
                    #expect(apiLog.all.map { $0.headers["authorization"] } == ["Bearer api-token-123", "Bearer api-token-123"])
                    #expect(storageLog.count == 1)
                    #expect(storageLog.all.first?.headers["authorization"] == nil)
                    #expect(storageLog.all.first?.target == "/r.csv?Expires=1&Signature=sig-abc")
                }
            }
        }
    }

    @Test func redirectLoopsStopAfterFiveHops() async throws {
        try await TestServer.run(handler: { _ in .text(302, "", headers: [("Location", "/again")]) }) { base, log in
            try await withFetcher { fetcher in
                let error = await sluiceError { _ = try await fetcher.send(.get("\(base)/start", step: "page 1"), authorizer: nil) }
                #expect(error?.kind == .badResponse)
                #expect(error?.message.contains("more than 5 redirects") == true)
                #expect(log.count == 6)
            }
        }
    }

    @Test func aRedirectToPlainHttpElsewhereIsRefused() async throws {
        try await TestServer.run(handler: { _ in .text(302, "", headers: [("Location", "http://storage.example.com/r.csv")]) }) { base, _ in
            try await withFetcher { fetcher in
                let error = await sluiceError { _ = try await fetcher.send(.get("\(base)/d", step: "download"), authorizer: nil) }
                #expect(error?.kind == .badResponse)
                #expect(error?.message.contains("https is required") == true)
            }
        }
    }

    @Test func theTokenEndpointIsCalledWithAFormBodyAndItsTokenIsRedacted() async throws {
        let redactor = Redactor()
        try await TestServer.run(handler: { request in
            guard request.method == "POST", request.text.contains("client_secret=citrix-secret-1") else { return .text(400, "") }
            return .text(200, #"{"token_type":"bearer","access_token":"citrix-token-xyz","expires_in":"3600"}"#)
        }) { base, _ in
            try await withFetcher(redactor: redactor) { fetcher in
                let credentials = OAuthClientCredentials(tokenURL: "\(base)/cctrustoauth2/acme/tokens/clients",
                                                         clientID: "cid", clientSecret: "citrix-secret-1",
                                                         style: .formBody, redactor: redactor)
                let cache = credentials.tokenCache(fetcher: fetcher, headerFormat: { "CWSAuth bearer=\($0)" })
                let header = try await cache.authorizationHeader()
                #expect(header.value == "CWSAuth bearer=citrix-token-xyz")
                #expect(redactor.redact("got citrix-token-xyz") == "got [REDACTED]")
            }
        }
    }

    @Test func rejectedClientCredentialsFailPermanentlyAtTheTokenStep() async throws {
        let redactor = Redactor()
        try await TestServer.run(handler: { request in
            .text(400, #"{"error":"invalid_client","error_description":"bad secret \#(request.text)"}"#)
        }) { base, log in
            try await withFetcher(redactor: redactor) { fetcher in
                let credentials = OAuthClientCredentials(tokenURL: "\(base)/tenant/oauth2/v2.0/token", clientID: "app",
                                                         clientSecret: "entra-secret-value",
                                                         style: .formBodyWithScope("https://analysis.windows.net/powerbi/api/.default"),
                                                         redactor: redactor)
                let error = await sluiceError { _ = try await credentials.fetchToken(with: fetcher) }
                let e = try #require(error)
                #expect(e.kind == .auth)
                #expect(e.step == "token")
                #expect(e.status == 400)
                #expect(e.message.hasPrefix("client credentials rejected by \(base)/tenant/oauth2/v2.0/token"))
                #expect(e.message.contains("invalid_client"))
                #expect(!e.description.contains("entra-secret-value"))
                #expect(log.count == 1)
            }
        }
    }
}
