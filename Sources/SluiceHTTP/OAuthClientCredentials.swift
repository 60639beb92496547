package import Foundation
package import SluiceCore

/// The OAuth2 client-credentials grant in the three forms the sources need.
package struct OAuthClientCredentials: Sendable {
    /// How the client proves who it is.
    package enum Style: Sendable, Hashable {
        /// WS1 Intelligence: `POST {token_url}?grant_type=client_credentials`, HTTP Basic, no body.
        case basicQuery
        /// Citrix Cloud: form body `grant_type, client_id, client_secret`, `Accept: application/json`.
        case formBody
        /// Entra ID v2.0: form body `client_id, client_secret, scope, grant_type`.
        case formBodyWithScope(String)
    }

    package var tokenURL: String
    package var clientID: String
    package var clientSecret: String
    package var style: Style
    private let redactor: Redactor

    /// Registers the secret (and the Basic credential made from it) with `redactor`.
    package init(tokenURL: String, clientID: String, clientSecret: String, style: Style, redactor: Redactor) {
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.style = style
        self.redactor = redactor
        redactor.register(clientSecret)
        redactor.register(Self.basicCredential(clientID, clientSecret))
    }

    /// The token request, with step `token`.
    package func request() -> HTTPRequest {
        switch style {
        case .basicQuery:
            let separator = tokenURL.contains("?") ? "&" : "?"
            return HTTPRequest(method: "POST", url: tokenURL + separator + "grant_type=client_credentials",
                               headers: [HTTPHeader("Authorization", "Basic " + Self.basicCredential(clientID, clientSecret)),
                                         HTTPHeader("Accept", "application/json")],
                               body: nil, step: "token", followsRedirects: false)
        case .formBody:
            return formRequest([("grant_type", "client_credentials"), ("client_id", clientID),
                                ("client_secret", clientSecret)])
        case .formBodyWithScope(let scope):
            return formRequest([("client_id", clientID), ("client_secret", clientSecret), ("scope", scope),
                                ("grant_type", "client_credentials")])
        }
    }

    /// Asks the token endpoint for a token. 400 and 401 mean the credentials are wrong and fail permanently.
    package func fetchToken(with fetcher: HTTPFetcher, now: Date = Date()) async throws -> OAuthToken {
        let request = request()
        let response: HTTPResponse
        do {
            response = try await fetcher.send(request, authorizer: nil)
        } catch let error as SluiceError where error.status == 400 || error.status == 401 {
            throw SluiceError(.auth, job: error.job, step: "token",
                              "client credentials rejected by \(Redactor.safeURL(tokenURL)) (HTTP \(error.status ?? 0)); "
                                  + "check the client id and secret. \(error.message)",
                              status: error.status)
        }
        let token = try Self.parseToken(response.body, tokenURL: tokenURL, now: now)
        // The credential's slot keeps this token and the one before it redacted, and forgets older ones.
        redactor.rotate([token.accessToken], slot: "token " + cacheKey)
        return token
    }

    /// Identifies the credential: the same endpoint, client and secret share one cached token.
    package var cacheKey: String {
        "\(tokenURL)|\(clientID)|\(style)|\(clientSecret.hashValue)"
    }

    /// The authorizer for a run: the process's cached token for this credential (from `caches`), fetched
    /// through this run's `fetcher` when it is missing or about to expire.
    package func authorizer(fetcher: HTTPFetcher, caches: TokenCaches,
                           headerFormat: @escaping @Sendable (String) -> String = { "Bearer \($0)" },
                           refreshMargin: Double = 60) -> CachedTokenAuthorizer {
        let cache = caches.cache(for: cacheKey) {
            OAuthTokenCache(headerFormat: headerFormat, refreshMargin: refreshMargin)
        }
        return CachedTokenAuthorizer(cache: cache, fetch: { try await self.fetchToken(with: fetcher, now: Date()) })
    }

    /// A token cache of its own (not shared) that fetches through `fetcher`.
    package func tokenCache(fetcher: HTTPFetcher, headerFormat: @escaping @Sendable (String) -> String = { "Bearer \($0)" },
                           refreshMargin: Double = 60) -> OAuthTokenCache {
        OAuthTokenCache(fetch: { try await self.fetchToken(with: fetcher, now: Date()) },
                        headerFormat: headerFormat, refreshMargin: refreshMargin)
    }

    /// Reads `access_token` and the lifetime from a token response: `expires_in` as a number or a string
    /// (Citrix sends `"3600"`), else the JWT's `exp` claim, else one hour.
    package static func parseToken(_ body: [UInt8], tokenURL: String, now: Date) throws -> OAuthToken {
        let where_ = Redactor.safeURL(tokenURL)
        guard let reply = try? JSONDecoder().decode(TokenReply.self, from: Data(body)) else {
            throw SluiceError(.badResponse, step: "token", "the token response from \(where_) is not a JSON object")
        }
        guard let access = reply.accessToken, !access.isEmpty else {
            throw SluiceError(.badResponse, step: "token", "the token response from \(where_) has no access_token")
        }
        if let seconds = reply.expiresIn?.value, seconds > 0 {
            return OAuthToken(accessToken: access, expiresAt: now.addingTimeInterval(seconds))
        }
        if let exp = JWT.expiry(access) {
            return OAuthToken(accessToken: access, expiresAt: Date(timeIntervalSince1970: exp))
        }
        return OAuthToken(accessToken: access, expiresAt: now.addingTimeInterval(3600))
    }

    static func basicCredential(_ id: String, _ secret: String) -> String {
        Data("\(id):\(secret)".utf8).base64EncodedString()
    }

    private func formRequest(_ fields: [(String, String)]) -> HTTPRequest {
        HTTPRequest(method: "POST", url: tokenURL,
                    headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded"),
                              HTTPHeader("Accept", "application/json")],
                    body: Array(FormEncoding.encode(fields).utf8), step: "token", followsRedirects: false)
    }
}

/// The fields of a token response that matter; `expires_in` tolerates a number or a string.
private struct TokenReply: Decodable {
    var accessToken: String?
    var expiresIn: FlexibleSeconds?

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case expiresIn = "expires_in"
    }
}

private struct FlexibleSeconds: Decodable {
    var value: Double?

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            value = number
        } else if let text = try? container.decode(String.self) {
            value = Double(text.trimmingWhitespace())
        }
    }
}

/// `application/x-www-form-urlencoded`, strictly: every byte outside `A-Z a-z 0-9 - . _ ~` is percent-encoded.
package enum FormEncoding {
    /// `a=1&b=x%2By` for `[("a", "1"), ("b", "x+y")]`.
    package static func encode(_ fields: [(String, String)]) -> String {
        fields.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    /// `value` with every reserved byte percent-encoded.
    package static func escape(_ value: String) -> String { PercentEncoding.encode(value) }
}

/// Just enough JWT reading to find `exp`; the signature is the server's business, not ours.
enum JWT {
    /// The `exp` claim (seconds since 1970) of a JWT, or nil when `token` is not a readable JWT.
    static func expiry(_ token: String) -> Double? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        var base64 = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64),
              let claims = try? JSONDecoder().decode(ExpClaim.self, from: data) else { return nil }
        return claims.exp
    }

    private struct ExpClaim: Decodable {
        var exp: Double?
    }
}
