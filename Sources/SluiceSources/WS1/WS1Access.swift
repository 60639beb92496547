import SluiceCore
import SluiceHTTP

/// Where a WS1 Intelligence job talks to and with which credentials.
struct WS1Access: Sendable {
    /// `https://api.{region}.data.workspaceone.com` unless `api_base` is given; no trailing slash.
    var apiBase: String
    var tokenURL: String
    var clientID: String
    var clientSecret: String
    /// `v1` or `v2`.
    var apiVersion: String

    /// Resolves hosts and credentials: a service-account file (`tokenEndpoint`, `clientId`, `clientSecret`)
    /// or separate `client_id`/`client_secret` references. An explicit `token_url` wins over the file's
    /// `tokenEndpoint`, which wins over the region's default.
    static func resolve(_ settings: WS1Settings, job: String, secrets: SecretResolver) throws(SluiceError) -> WS1Access {
        let regionAPI = "https://api.\(settings.region).data.workspaceone.com"
        let regionToken = "https://auth.\(settings.region).data.workspaceone.com/oauth/token"
        var apiBase = settings.apiBase ?? regionAPI
        while apiBase.hasSuffix("/") { apiBase.removeLast() }
        var tokenURL = settings.tokenURL
        let clientID: String
        let clientSecret: String
        if let ref = settings.serviceAccount {
            let text = try secrets.resolve(ref, job: job, key: "service_account")
            let account = try ServiceAccount.parse(text, job: job, ref: ref)
            clientID = account.clientID
            clientSecret = account.clientSecret
            if tokenURL == nil { tokenURL = account.tokenEndpoint }
        } else if let idRef = settings.clientID, let secretRef = settings.clientSecret {
            clientID = try secrets.resolve(idRef, job: job, key: "client_id")
            clientSecret = try secrets.resolve(secretRef, job: job, key: "client_secret")
        } else {
            throw SluiceError(.config, job: job, step: "credentials",
                              "give service_account: {file: …} or client_id and client_secret")
        }
        return WS1Access(apiBase: apiBase, tokenURL: tokenURL ?? regionToken, clientID: clientID,
                         clientSecret: clientSecret, apiVersion: settings.apiVersion)
    }

    /// The client-credentials grant in WS1's documented style: query `grant_type`, HTTP Basic, no body.
    func credentials(redactor: Redactor = .shared) -> OAuthClientCredentials {
        OAuthClientCredentials(tokenURL: tokenURL, clientID: clientID, clientSecret: clientSecret, style: .basicQuery,
                               redactor: redactor)
    }

    /// `{api}/{v}/reports/{id}/downloads/search`.
    func downloadsURL(report: String) -> String {
        URLBuilder.url(apiBase, path: [apiVersion, "reports", report, "downloads", "search"])
    }

    /// `{api}/{v}/reports/{id}/run`.
    func runURL(report: String) -> String {
        URLBuilder.url(apiBase, path: [apiVersion, "reports", report, "run"])
    }

    /// `{api}/{v}/reports/tracking/{download}/download`.
    func downloadURL(download: String) -> String {
        URLBuilder.url(apiBase, path: [apiVersion, "reports", "tracking", download, "download"])
    }
}

/// The JSON file Intelligence hands out for a service account.
struct ServiceAccount {
    var tokenEndpoint: String?
    var clientID: String
    var clientSecret: String

    /// Reads `clientId`, `clientSecret` and `tokenEndpoint`; errors name the file, never its contents.
    static func parse(_ text: String, job: String, ref: SecretRef) throws(SluiceError) -> ServiceAccount {
        let step = "service account"
        let json: JSONValue
        do {
            json = try JSONParser.parse(text)
        } catch {
            throw SluiceError(.config, job: job, step: step,
                              "\(ref) is not the JSON service-account file Intelligence hands out (\(error.description))")
        }
        guard let id = json["clientId"]?.stringValue, !id.isEmpty else {
            throw SluiceError(.config, job: job, step: step, "\(ref) has no 'clientId'")
        }
        guard let secret = json["clientSecret"]?.stringValue, !secret.isEmpty else {
            throw SluiceError(.config, job: job, step: step, "\(ref) has no 'clientSecret'")
        }
        Redactor.shared.register(secret)
        let endpoint = json["tokenEndpoint"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        if let url = endpoint, let reason = URLRules.validateScheme(url) {
            throw SluiceError(.config, job: job, step: step,
                              "the tokenEndpoint in \(ref) (\(Redactor.safeURL(url))) \(reason)")
        }
        return ServiceAccount(tokenEndpoint: endpoint, clientID: id, clientSecret: secret)
    }
}
