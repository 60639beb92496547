package import Foundation
package import Hummingbird
import Synchronization

/// An OAuth2 client-credentials token endpoint, the piece every emulated API's token step shares.
///
/// It accepts the client credentials either as HTTP Basic (WS1's documented style) or as `client_id` /
/// `client_secret` form fields (Citrix, Entra ID), with `grant_type=client_credentials` in the query or the
/// form body, and answers `{"access_token", "token_type", "expires_in"}`. Emulators that need a token step
/// either mount it in their own router (`respond(to:)`) or host it on its own port (it is an `Emulator`).
/// Issued tokens are checked with `isValid(_:)`; tests expire them early with `expireAllTokens()`.
package final class OAuthTokenEndpoint: Emulator {
    /// How issued tokens look.
    package enum TokenStyle: Sendable {
        /// A random opaque string.
        case opaque
        /// `header.payload.signature`, base64url, with `iat`, `nbf`, `exp` and `jti` claims in the payload
        /// (the signature is random: clients must not verify it, only read `exp`).
        case jwt
    }

    /// How `expires_in` is written in the token response.
    package enum ExpiresInStyle: Sendable {
        /// A JSON number, as WS1 and Entra ID send it.
        case number
        /// A JSON string, as Citrix Cloud sends it (`"3600"`).
        case string
    }

    /// The fixed shape of the endpoint.
    package struct Configuration: Sendable {
        /// Path of the token route when the endpoint is hosted on its own (e.g. `/oauth/token`).
        package var path: String
        /// Client id the endpoint accepts.
        package var clientID: String
        /// Client secret the endpoint accepts.
        package var clientSecret: String
        /// Lifetime of issued tokens, reported as `expires_in`.
        package var lifetimeSeconds: Int
        /// Opaque or JWT-like tokens.
        package var tokenStyle: TokenStyle
        /// Number or string `expires_in`.
        package var expiresInStyle: ExpiresInStyle
        /// `token_type` in the response (`bearer` for WS1 and Citrix, `Bearer` for Entra ID).
        package var tokenType: String
        /// When set, requests must carry exactly this `scope` form field (Entra ID's `…/.default`).
        package var requiredScope: String?

        /// A configuration; only the credentials have no default.
        package init(
            path: String = "/oauth/token",
            clientID: String,
            clientSecret: String,
            lifetimeSeconds: Int = 3599,
            tokenStyle: TokenStyle = .opaque,
            expiresInStyle: ExpiresInStyle = .number,
            tokenType: String = "bearer",
            requiredScope: String? = nil
        ) {
            self.path = path
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.lifetimeSeconds = lifetimeSeconds
            self.tokenStyle = tokenStyle
            self.expiresInStyle = expiresInStyle
            self.tokenType = tokenType
            self.requiredScope = requiredScope
        }
    }

    struct State {
        var configuration: Configuration
        /// Token → expiry (milliseconds since the epoch).
        var tokens: [String: Int64] = [:]
        var issued = 0
    }

    let state: Mutex<State>
    let now: @Sendable () -> Date
    /// Requests to the token route; failed token requests are recorded too, never with their credentials.
    package let journal = RequestJournal()
    /// Faults for token requests (counted by `journal`'s arrival numbers).
    package let faults = FaultKnobs()

    /// An endpoint with the given configuration; `now` is injectable so expiry can be tested without waiting.
    package init(_ configuration: Configuration, now: @escaping @Sendable () -> Date = { Date() }) {
        self.state = Mutex(State(configuration: configuration))
        self.now = now
    }

    /// Mounts the token route at `configuration.path` (POST).
    package func addRoutes(to router: Router<BasicRequestContext>) {
        let path = state.withLock { $0.configuration.path }
        router.post(RouterPath(path)) { request, _ in try await self.respond(to: request) }
    }

    /// How many tokens have been issued.
    package var tokensIssued: Int { state.withLock { $0.issued } }

    /// True when `token` was issued here, has not expired and has not been expired early.
    package func isValid(_ token: String) -> Bool {
        let nowMillis = EmulatorTimestamp.millis(of: now())
        return state.withLock { $0.tokens[token].map { $0 > nowMillis } ?? false }
    }

    /// Expires every token issued so far; clients must fetch a new one (their next call gets 401).
    package func expireAllTokens() {
        state.withLock { $0.tokens.removeAll() }
    }

    /// Changes the accepted credentials (e.g. to emulate a rotated secret); issued tokens stay valid.
    package func setCredentials(clientID: String, clientSecret: String) {
        state.withLock {
            $0.configuration.clientID = clientID
            $0.configuration.clientSecret = clientSecret
        }
    }

    /// Changes the lifetime of tokens issued from now on.
    package func setLifetime(seconds: Int) {
        state.withLock { $0.configuration.lifetimeSeconds = seconds }
    }
}
