import Foundation
package import Hummingbird
import Synchronization

extension OAuthTokenEndpoint {
    /// Answers one token request: checks grant type, credentials and scope, then issues a token.
    ///
    /// Other emulators call this from their own routes, e.g. Citrix's `/cctrustoauth2/{customer}/tokens/clients`.
    package func respond(to request: Request) async throws -> Response {
        let number = journal.arrive()
        let plan = faults.plan(forRequest: number)
        var response: Response
        if let failure = plan.failure {
            response = failure.response
        } else {
            var request = request
            let body = try await request.collectBody(upTo: 64 * 1024)
            response = issue(for: request, form: FormEncoding.parse(String(buffer: body)))
        }
        if plan.bodyFault == .truncated, response.status == .ok {
            response = .json("{\"access_token\":\"", status: .ok)
        }
        journal.record(number: number, request: request, status: response.status)
        return response
    }

    private func issue(for request: Request, form: [(name: String, value: String)]) -> Response {
        func field(_ name: String) -> String? { form.first { $0.name == name }?.value }
        let query = FormEncoding.parse(request.uri.query ?? "")
        let grantType = field("grant_type") ?? query.first { $0.name == "grant_type" }?.value
        guard grantType == "client_credentials" else {
            return .jsonError("unsupported_grant_type", status: .badRequest)
        }
        let basic = AuthorizationHeader.basicCredentials(request.headers[.authorization])
        let clientID = basic?.id ?? field("client_id")
        let clientSecret = basic?.secret ?? field("client_secret")
        let issuedAt = EmulatorTimestamp.millis(of: now())
        return state.withLock { state -> Response in
            let configuration = state.configuration
            guard clientID == configuration.clientID, clientSecret == configuration.clientSecret else {
                return .jsonError("invalid_client", status: .unauthorized)
            }
            if let scope = configuration.requiredScope, field("scope") != scope {
                return .jsonError("invalid_scope", status: .badRequest)
            }
            let token = Self.makeToken(configuration: configuration, issuedAt: issuedAt)
            state.tokens[token] = issuedAt + Int64(configuration.lifetimeSeconds) * 1000
            state.issued += 1
            var json = JSONText()
            json.raw("{\"access_token\":")
            json.string(token)
            json.raw(",\"token_type\":")
            json.string(configuration.tokenType)
            json.raw(",\"expires_in\":")
            switch configuration.expiresInStyle {
            case .number: json.raw(String(configuration.lifetimeSeconds))
            case .string: json.string(String(configuration.lifetimeSeconds))
            }
            json.raw("}")
            return .json(json.text, headers: [.cacheControl: "no-store"])
        }
    }

    private static func makeToken(configuration: Configuration, issuedAt: Int64) -> String {
        let random = randomBase64URL(byteCount: 24)
        guard configuration.tokenStyle == .jwt else { return random }
        let seconds = issuedAt / 1000
        let header = #"{"alg":"HS256","typ":"JWT"}"#
        let payload = "{\"iat\":\(seconds),\"nbf\":\(seconds),\"exp\":\(seconds + Int64(configuration.lifetimeSeconds)),"
            + "\"jti\":\"\(random)\",\"iss\":\"sluice-emulator\"}"
        return base64URL(Data(header.utf8)) + "." + base64URL(Data(payload.utf8)) + "." + randomBase64URL(byteCount: 32)
    }

    private static func randomBase64URL(byteCount: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return base64URL(Data((0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }))
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
