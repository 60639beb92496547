import Testing
@testable import SluiceCore

/// Literal secrets, secret reference shapes and the https-or-loopback rule.
@Suite struct JobFileSecurityTests {
    @Test func literalSecretIsRejectedWithoutShowingTheValue() {
        let yaml = """
            schedule: every 1h
            source:
              type: powerbi-activity
              tenant_id: { env: PBI_TENANT_ID }
              client_id: { env: PBI_CLIENT_ID }
              client_secret: Xq7~very.secret-value
            """
        let error = onlyProblem(yaml)
        #expect(error?.description == "jobs/test.yaml:6: client_secret is written literally; use {env: NAME}, "
            + "{file: /path} or {credential: name} (the value is not shown)")
        #expect(error?.description.contains("Xq7") == false)
    }

    @Test func secretLookingUnknownKeysAreRejectedAnywhereWithoutTheirValue() {
        let yaml = minimalJob + "\ntarget:\n  extra:\n    - db_password: hunter2hunter2\n"
        let found = problems(yaml)
        #expect(found.contains { $0.line == 8 && $0.message.hasPrefix("db_password is written literally") })
        #expect(found.contains { $0.message.hasPrefix("unknown key 'extra' in target") })
        #expect(!found.map(\.description).joined().contains("hunter2"))
    }

    @Test func literalTokenInCursorFeedIsRejected() {
        let error = onlyProblem(minimalJob + "\n  token: abcdef123456")
        #expect(error?.line == 6)
        #expect(error?.description.contains("abcdef") == false)
    }

    @Test func secretReferencesDecodeToTheirKind() throws {
        let env = try JobFileDecoder.decode(yaml: minimalJob + "\n  token: { env: FEED_TOKEN }", file: "jobs/a.yaml")
        let file = try JobFileDecoder.decode(yaml: minimalJob + "\n  token: { file: /etc/sluice/feed }", file: "jobs/a.yaml")
        let credential = try JobFileDecoder.decode(yaml: minimalJob + "\n  token:\n    credential: feed_token", file: "jobs/a.yaml")
        #expect(env.source.secrets.map(\.ref) == [.env("FEED_TOKEN")])
        #expect(file.source.secrets.map(\.ref) == [.file("/etc/sluice/feed")])
        #expect(credential.source.secrets.map(\.ref) == [.credential("feed_token")])
    }

    @Test func secretReferenceShapesAreChecked() {
        #expect(onlyProblem(minimalJob + "\n  token: { file: etc/feed }")?.message
            == "source.token.file must be an absolute path (starting with /)")
        #expect(onlyProblem(minimalJob + "\n  token: { credential: dir/feed }")?.message.hasPrefix(
            "source.token.credential must be a plain credential name without /") == true)
        #expect(onlyProblem(minimalJob + "\n  token: { env: A, file: /x }")?.message
            == "source.token must use exactly one of env, file or credential")
        #expect(onlyProblem(minimalJob + "\n  token: { }")?.message
            == "source.token must be {env: NAME}, {file: /path} or {credential: name}")
        let typo = onlyProblem(minimalJob + "\n  token: { env: A, evn: the-value-here }")
        #expect(typo?.message == "unknown key 'evn' in source.token (did you mean 'env'?)")
        #expect(typo?.description.contains("the-value-here") == false)
        let badName = onlyProblem(minimalJob + "\n  token: { env: not a name }")
        #expect(badName?.message == "source.token.env must name an environment variable (letters, digits and _)")
    }

    @Test func plainHTTPToARemoteHostIsRejected() {
        let error = onlyProblem(minimalJob.replacingAll("https://feed.example.com", with: "http://feed.example.com"))
        #expect(error?.line == 4)
        #expect(error?.message == "source.base_url: plain http is only allowed to loopback (127.0.0.0/8, ::1, localhost); "
            + "use https://feed.example.com/api/bi/v1")
    }

    @Test(arguments: ["http://127.0.0.1:8080", "http://localhost", "http://localhost:9000/feed", "http://[::1]:8080/x",
                      "http://127.8.9.10/api"])
    func plainHTTPToLoopbackIsAccepted(_ url: String) throws {
        let job = try JobFileDecoder.decode(yaml: minimalJob.replacingAll("https://feed.example.com/api/bi/v1", with: url),
                                            file: "jobs/local.yaml")
        #expect(job.source.urls.map(\.url) == [url])
    }

    @Test func urlPolicyRules() {
        #expect(URLPolicy.check("https://api.cloud.com/cctrustoauth2/{customer_id}/tokens/clients") == nil)
        #expect(URLPolicy.check("https://api.powerbi.com:443/v1.0/myorg") == nil)
        #expect(URLPolicy.check("http://128.0.0.1/")?.hasPrefix("plain http is only allowed to loopback") == true)
        #expect(URLPolicy.check("http://localhost.evil.com/")?.hasPrefix("plain http") == true)
        #expect(URLPolicy.check("http://127.0.0.1.nip.io/")?.hasPrefix("plain http") == true)
        #expect(URLPolicy.check("ftp://files.example.com") == "'ftp://' is not supported; use https://")
        #expect(URLPolicy.check("api.example.com/v1")?.contains("is not a URL") == true)
        #expect(URLPolicy.check("https://") != nil)
        #expect(URLPolicy.check("https://host:99999/") != nil)
        let userInfo = URLPolicy.check("https://admin:pa55word@api.example.com/")
        #expect(userInfo?.contains("pa55word") == false)
        #expect(userInfo?.contains("user name or password") == true)
        #expect(URLPolicy.isLoopback(host: "LOCALHOST"))
        #expect(URLPolicy.isLoopback(host: "[::1]"))
        #expect(!URLPolicy.isLoopback(host: "127.0.0.256"))
        #expect(!URLPolicy.isLoopback(host: "10.0.0.1"))
    }

    @Test func plainHTTPSuggestionDropsTheQueryString() {
        let message = URLPolicy.check("http://feed.example.com/x?sig=abc123")
        #expect(message?.contains("abc123") == false)
    }
}
