package import SluiceCore

/// Supplies the `Authorization` header for a request; OAuth sources refresh it on 401.
package protocol Authorizer: Sendable {
    /// The header to send, for example `("Authorization", "Bearer …")`. May fetch a token.
    func authorizationHeader() async throws -> (name: String, value: String)

    /// Called after a 401 with the header value that was rejected. Returns true when a retry with a fresh
    /// credential makes sense (OAuth: the cached token is dropped), false for static tokens.
    func invalidate(rejected value: String) async -> Bool
}

/// A fixed bearer token (`Authorization: Bearer <token>`), as the cursor feed uses.
///
/// A 401 cannot be cured by asking again, so ``invalidate(rejected:)`` returns false and the request fails.
package struct StaticBearer: Authorizer {
    private let token: String

    /// `token` is registered with `redactor` so it can never reach a log line or an error.
    package init(token: String, redactor: Redactor = .shared) {
        self.token = token
        redactor.register(token)
    }

    package func authorizationHeader() async throws -> (name: String, value: String) {
        ("Authorization", "Bearer \(token)")
    }

    package func invalidate(rejected value: String) async -> Bool { false }
}
