import Foundation
import SluiceCore
import SluiceWire
import SluiceHTTP
import Testing

/// What a hostile server (or a proxy in front of it) can send must never crash the process or carry a secret
/// to another origin.
@Suite struct HostileServerTests {
    @Test(arguments: ["99999999999999999999", String(repeating: "9", count: 400), "9223372036854775808"])
    func anEnormousRetryAfterGivesUpInsteadOfTrapping(_ value: String) {
        let wait = RetryAfter.parse(value, now: Date())
        #expect(wait == RetryAfter.longest)
        let decision = RetryPolicy().decide(status: 429, attempt: 1, retryAfter: value, now: Date(), random: { $0.upperBound })
        guard case .giveUp(let reason) = decision else {
            Issue.record("expected to give up, got \(decision)")
            return
        }
        #expect(reason.contains("asked to retry after") && reason.contains("3600 s"))
    }

    @Test(arguments: ["Sun Nov  6 08:49:37 99999999999999", "Sun Nov  6 08:49:37 19940", "Sun, 06 Nov 99999 08:49:37 GMT",
                      "Sun Nov  6 999999999999999999999:49:37 1994", "Sun Nov 99999999999999999999 08:49:37 1994"])
    func anHTTPDateWithAnAbsurdFieldIsNotADate(_ value: String) {
        #expect(RetryAfter.httpDate(value) == nil)
        #expect(RetryAfter.parse(value, now: Date()) == nil)
    }

    @Test func aDistantButValidDateIsCappedAtTheLongestWait() {
        #expect(RetryAfter.parse("Fri Dec 31 23:59:59 9999", now: Date(timeIntervalSince1970: 0)).map { $0 <= RetryAfter.longest } == true)
    }

    @Test func aTokenRequestThatIsRedirectedFailsAndTheSecretStaysHome() async throws {
        try await TestServer.run(host: "127.0.0.2", handler: { _ in .text(200, #"{"access_token":"stolen"}"#) }) { stranger, strangerLog in
            try await TestServer.run(handler: { request in
                .text(307, "", headers: [("Location", "\(stranger)/oauth/token")])
            }) { api, _ in
                try await withFetcher { fetcher in
                    let credentials = OAuthClientCredentials(tokenURL: "\(api)/oauth/token", clientID: "id",
                                                             clientSecret: "very-secret-value", style: .formBody,
                                                             redactor: Redactor())
                    let error = await sluiceError { _ = try await credentials.fetchToken(with: fetcher) }
                    #expect(error?.step == "token")
                    #expect(error?.message.contains("never redirected") == true)
                    #expect(strangerLog.count == 0)
                }
            }
        }
    }

    @Test func aBodyIsNeverResentToAnotherOriginOn307() async throws {
        try await TestServer.run(host: "127.0.0.2", handler: { _ in .text(200, "{}") }) { stranger, strangerLog in
            try await TestServer.run(handler: { _ in .text(308, "", headers: [("Location", "\(stranger)/search")]) }) { api, _ in
                try await withFetcher { fetcher in
                    let error = await sluiceError {
                        _ = try await fetcher.send(.post("\(api)/search", body: Array(#"{"offset":0}"#.utf8), step: "list"),
                                                   authorizer: nil)
                    }
                    #expect(error?.message.contains("refusing to re-send the request body to 127.0.0.2") == true)
                    #expect(strangerLog.count == 0)
                }
            }
        }
    }

    @Test func onlyAcceptAndUserAgentCrossToAnotherOrigin() async throws {
        try await TestServer.run(host: "127.0.0.2", handler: { _ in .text(200, "ok") }) { storage, storageLog in
            try await TestServer.run(handler: { _ in .text(302, "", headers: [("Location", "\(storage)/f.csv")]) }) { api, apiLog in
                try await withFetcher { fetcher in
                    let request = HTTPRequest.get("\(api)/download", headers: [
                        HTTPHeader("Citrix-CustomerId", "customer-secret"), HTTPHeader("Accept", "text/csv"),
                        HTTPHeader("User-Agent", "sluice-test"), HTTPHeader("X-Api-Key", "key-secret"),
                    ], step: "download")
                    _ = try await fetcher.send(request, authorizer: StaticBearer(token: "bearer-secret", redactor: Redactor()))
                    #expect(apiLog.all.first?.headers["citrix-customerid"] == "customer-secret")
                    let crossed = storageLog.all.first?.headers ?? [:]
                    #expect(crossed["accept"] == "text/csv")
                    #expect(crossed["user-agent"] == "sluice-test")
                    #expect(crossed["citrix-customerid"] == nil)
                    #expect(crossed["x-api-key"] == nil)
                    #expect(crossed["authorization"] == nil)
                }
            }
        }
    }

    @Test func aStorageErrorThatEchoesTheSignatureIsRedacted() async throws {
        let signature = "c2lnbmF0dXJlLXRoYXQtbXVzdC1ub3QtbGVhaw"
        try await TestServer.run(host: "127.0.0.2", handler: { _ in
            .text(403, "<Error><Code>AccessDenied</Code><SignatureProvided>\(signature)</SignatureProvided></Error>")
        }) { storage, _ in
            try await TestServer.run(handler: { _ in
                .text(302, "", headers: [("Location", "\(storage)/f.csv?Expires=1&Sig=\(signature)&Key-Pair-Id=APKA1")])
            }) { api, _ in
                let redactor = Redactor()
                let logs = LogCapture()
                try await withFetcher(redactor: redactor, logs: logs) { fetcher in
                    let error = await sluiceError { _ = try await fetcher.send(.get("\(api)/download", step: "download"), authorizer: nil) }
                    #expect(error?.status == 403)
                    #expect(error?.message.contains("AccessDenied") == true)
                    #expect(error.map { !$0.description.contains(signature) } == true)
                    #expect(!logs.all.joined().contains(signature))
                }
            }
        }
    }

    @Test func theRedactorForgetsOldGenerationsOfASlot() {
        let redactor = Redactor()
        redactor.register("job-file-secret")
        for n in 1...1000 { redactor.rotate(["token-number-\(n)"], slot: "token A") }
        // The permanent secret, and the last two tokens of the slot; nothing else piles up.
        #expect(redactor.count == 3)
        #expect(redactor.redact("token-number-1000 token-number-999 token-number-998")
            == "[REDACTED] [REDACTED] token-number-998")
        #expect(redactor.redact("x job-file-secret y") == "x [REDACTED] y")
    }
}
