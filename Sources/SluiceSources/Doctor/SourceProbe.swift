import SluiceCore
import SluiceHTTP

/// The preflight of one source type for `sluice doctor`: the token, then one cheap read that proves access.
///
/// A probe runs after the job file loaded and every secret resolved, and it goes through the same parts a run
/// uses (the source's request building, ``OAuthClientCredentials`` and the token caches, the rate limiters and
/// the ``HTTPFetcher``), so what passes here is what a run will do. It never writes anything and reads as
/// little as the API allows (a page of one row where the API has a page size).
protocol SourceProbe: Sendable {
    /// The checks after `job file` and `secrets`, in the order they were made; a failed step ends the list
    /// (the checks after it would only repeat its cause).
    func checks(_ context: ProbeContext) async -> [DoctorCheck]
}

/// What a probe works with: the job, a source context whose fetcher makes few attempts, and the time.
struct ProbeContext: Sendable {
    var job: JobDefinition
    var source: SourceContext
    /// Seconds since the epoch when doctor started.
    var now: Double

    var fetcher: HTTPFetcher { source.fetcher }
}

extension SourceProbe {
    /// Makes sure `authorizer` holds a token (fetching one through the run's token cache), as the first request
    /// of a run would; the check says whether the token endpoint accepted the client.
    func tokenCheck(_ authorizer: any Authorizer, wording: TokenWording) async -> DoctorCheck {
        do {
            _ = try await authorizer.authorizationHeader()
            return .pass("token", "\(wording.service) accepted the client id/secret (\(wording.host))")
        } catch {
            return ProbeFailure.token(error, wording: wording)
        }
    }
}

/// How a token endpoint and its failures are named for one source.
struct TokenWording: Sendable {
    /// Who issues tokens: `Intelligence`, `Citrix Cloud`, `Entra ID`.
    var service: String
    /// The token endpoint's host (never its query).
    var host: String
    /// What to do when the client id/secret is rejected.
    var rejectedFix: String
    /// What to do when the token request itself is refused for another reason (a 400 other than invalid_client).
    var refusedFix: String

    init(service: String, tokenURL: String, rejectedFix: String, refusedFix: String) {
        self.service = service
        self.host = URLParts(tokenURL)?.hostAndPort ?? Redactor.safeURL(tokenURL)
        self.rejectedFix = rejectedFix
        self.refusedFix = refusedFix
    }
}
