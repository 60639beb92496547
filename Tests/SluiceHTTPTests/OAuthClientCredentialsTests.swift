import Foundation
import SluiceCore
import SluiceHTTP
import Testing

@Suite struct OAuthClientCredentialsTests {
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func ws1SendsBasicCredentialsAndTheGrantInTheQuery() {
        let credentials = OAuthClientCredentials(tokenURL: "https://auth.na1.data.workspaceone.com/oauth/token",
                                                 clientID: "svc@tenant", clientSecret: "ws1-secret-value",
                                                 style: .basicQuery, redactor: Redactor())
        let request = credentials.request()
        #expect(request.method == "POST")
        #expect(request.url == "https://auth.na1.data.workspaceone.com/oauth/token?grant_type=client_credentials")
        #expect(request.headers.firstValue(named: "authorization")
            == "Basic " + Data("svc@tenant:ws1-secret-value".utf8).base64EncodedString())
        #expect(request.body == nil)
        #expect(request.step == "token")
    }

    @Test func citrixSendsAFormBodyWithEncodedSecret() {
        let credentials = OAuthClientCredentials(tokenURL: "https://api.cloud.com/cctrustoauth2/acme/tokens/clients",
                                                 clientID: "client-id", clientSecret: "s3cr+t/==&x",
                                                 style: .formBody, redactor: Redactor())
        let request = credentials.request()
        #expect(request.url == "https://api.cloud.com/cctrustoauth2/acme/tokens/clients")
        #expect(request.headers.firstValue(named: "Content-Type") == "application/x-www-form-urlencoded")
        #expect(request.headers.firstValue(named: "Accept") == "application/json")
        #expect(String(decoding: request.body ?? [], as: UTF8.self)
            == "grant_type=client_credentials&client_id=client-id&client_secret=s3cr%2Bt%2F%3D%3D%26x")
    }

    @Test func entraSendsTheScope() {
        let credentials = OAuthClientCredentials(
            tokenURL: "https://login.microsoftonline.com/tenant/oauth2/v2.0/token", clientID: "app", clientSecret: "pbi-secret",
            style: .formBodyWithScope("https://analysis.windows.net/powerbi/api/.default"), redactor: Redactor())
        #expect(String(decoding: credentials.request().body ?? [], as: UTF8.self)
            == "client_id=app&client_secret=pbi-secret&scope=https%3A%2F%2Fanalysis.windows.net%2Fpowerbi%2Fapi%2F.default"
            + "&grant_type=client_credentials")
    }

    @Test func theSecretIsRegisteredWithTheRedactor() {
        let redactor = Redactor()
        _ = OAuthClientCredentials(tokenURL: "https://x.example.com/t", clientID: "id", clientSecret: "very-secret-value",
                                   style: .formBody, redactor: redactor)
        #expect(redactor.redact("oops very-secret-value leaked") == "oops [REDACTED] leaked")
    }

    @Test func citrixExpiresInAsAStringIsParsed() throws {
        let body = #"{"token_type":"bearer","access_token":"ey1.abc","expires_in":"3600"}"#
        let token = try OAuthClientCredentials.parseToken(Array(body.utf8), tokenURL: "https://t", now: now)
        #expect(token.accessToken == "ey1.abc")
        #expect(token.expiresAt == now.addingTimeInterval(3600))
    }

    @Test func expiresInAsANumberIsParsed() throws {
        let body = #"{"token_type":"Bearer","expires_in":3599,"access_token":"abc"}"#
        let token = try OAuthClientCredentials.parseToken(Array(body.utf8), tokenURL: "https://t", now: now)
        #expect(token.expiresAt == now.addingTimeInterval(3599))
    }

    @Test func withoutExpiresInTheJWTExpClaimIsUsed() throws {
        let claims = Data(#"{"sub":"x","exp":1700001234}"#.utf8).base64EncodedString()
            .replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        let jwt = "eyJhbGciOiJub25lIn0.\(claims).sig"
        let body = #"{"access_token":"\#(jwt)"}"#
        let token = try OAuthClientCredentials.parseToken(Array(body.utf8), tokenURL: "https://t", now: now)
        #expect(token.expiresAt == Date(timeIntervalSince1970: 1_700_001_234))
    }

    @Test func withNeitherTheTokenLastsAnHour() throws {
        let token = try OAuthClientCredentials.parseToken(Array(#"{"access_token":"opaque"}"#.utf8), tokenURL: "https://t", now: now)
        #expect(token.expiresAt == now.addingTimeInterval(3600))
    }

    @Test func aResponseWithoutAccessTokenIsATokenStepError() {
        #expect(throws: SluiceError.self) {
            try OAuthClientCredentials.parseToken(Array(#"{"error":"nope"}"#.utf8), tokenURL: "https://t", now: now)
        }
        do {
            _ = try OAuthClientCredentials.parseToken(Array("<html>".utf8), tokenURL: "https://t/x?sig=1", now: now)
        } catch let error as SluiceError {
            #expect(error.step == "token")
            #expect(!error.description.contains("sig=1"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
