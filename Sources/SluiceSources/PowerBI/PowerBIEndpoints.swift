package import SluiceCore

/// The three URLs of a Power BI cloud: Entra authority, token scope resource and API base.
package struct PowerBICloud: Sendable, Hashable {
    /// `https://login.microsoftonline.com`; the token URL is `{authority}/{tenant}/oauth2/v2.0/token`.
    package var authority: String
    /// The resource whose `/.default` scope the token asks for.
    package var scopeResource: String
    /// `https://api.powerbi.com/v1.0/myorg`.
    package var apiBase: String

    /// The preset for a `cloud:` value (`public`, `gcc`, `gcc-high`, `dod`, `china`), nil for anything else.
    ///
    /// Microsoft Cloud Deutschland is left out on purpose: it does not support the activity log (§3.6).
    package static func preset(_ name: String) -> PowerBICloud? {
        switch name {
        case "public":
            return PowerBICloud(authority: "https://login.microsoftonline.com",
                                scopeResource: "https://analysis.windows.net/powerbi/api",
                                apiBase: "https://api.powerbi.com/v1.0/myorg")
        case "gcc":
            return PowerBICloud(authority: "https://login.microsoftonline.com",
                                scopeResource: "https://analysis.usgovcloudapi.net/powerbi/api",
                                apiBase: "https://api.powerbigov.us/v1.0/myorg")
        case "gcc-high":
            return PowerBICloud(authority: "https://login.microsoftonline.us",
                                scopeResource: "https://high.analysis.usgovcloudapi.net/powerbi/api",
                                apiBase: "https://api.high.powerbigov.us/v1.0/myorg")
        case "dod":
            return PowerBICloud(authority: "https://login.microsoftonline.us",
                                scopeResource: "https://mil.analysis.usgovcloudapi.net/powerbi/api",
                                apiBase: "https://api.mil.powerbigov.us/v1.0/myorg")
        case "china":
            return PowerBICloud(authority: "https://login.chinacloudapi.cn",
                                scopeResource: "https://analysis.chinacloudapi.cn/powerbi/api",
                                apiBase: "https://api.powerbi.cn/v1.0/myorg")
        default:
            return nil
        }
    }
}

/// The URLs one job talks to: the cloud preset with the job file's explicit keys on top.
package struct PowerBIEndpoints: Sendable, Hashable {
    package var authority: String
    /// `{scope_resource}/.default`.
    package var scope: String
    package var apiBase: String

    /// Resolves `settings`: explicit `authority`, `scope_resource` and `api_base` win over the `cloud:` preset.
    package init(_ settings: PowerBISettings) throws(SluiceError) {
        guard let preset = PowerBICloud.preset(settings.cloud) else {
            throw SluiceError(.config, step: "source",
                              "unknown Power BI cloud '\(settings.cloud)' (public, gcc, gcc-high, dod or china)")
        }
        authority = Self.trimmingSlashes(settings.authority ?? preset.authority)
        let resource = Self.trimmingSlashes(settings.scopeResource ?? preset.scopeResource)
        scope = resource.hasSuffix("/.default") ? resource : resource + "/.default"
        apiBase = Self.trimmingSlashes(settings.apiBase ?? preset.apiBase)
    }

    /// `{authority}/{tenant}/oauth2/v2.0/token`, the tenant percent-encoded as one path segment.
    package func tokenURL(tenant: String) -> String {
        authority + "/" + URLBuilder.encode(tenant, keepSlash: false) + "/oauth2/v2.0/token"
    }

    /// `{api_base}/admin/activityevents`.
    package var activityEventsURL: String { apiBase + "/admin/activityevents" }

    static func trimmingSlashes(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}
