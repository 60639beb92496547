package import SluiceCore
package import SluiceWire
import SluiceHTTP

/// Builds the Activity Events request URLs and decides, from a page, what comes next.
///
/// Pure: no I/O, so the quoting rules and the continuation policy are tested on their own.
package struct ActivityEventsRequests: Sendable {
    /// What to do after a page.
    package enum Next: Sendable, Equatable {
        /// The window's chain has ended.
        case done
        /// Fetch this URL (with the token) for the next page of the same window.
        case fetch(String)
    }

    /// `{api_base}/admin/activityevents`.
    package var activityEventsURL: String
    /// The configured API base; continuation links on its origin are always followed.
    package var apiBase: String
    /// The optional `$filter`.
    package var filter: String?
    /// Extra continuation hosts from the job file (`host` or `*.domain`).
    package var continuationHosts: [String]

    package init(endpoints: PowerBIEndpoints, filter: String?, continuationHosts: [String]) {
        activityEventsURL = endpoints.activityEventsURL
        apiBase = endpoints.apiBase
        self.filter = filter
        self.continuationHosts = continuationHosts.map { $0.lowercased() }
    }

    /// The first request of a window: both instants wrapped in single quotes, every reserved byte percent-encoded.
    package func firstPageURL(_ window: ActivityWindow) -> String {
        var url = activityEventsURL + "?startDateTime=" + URLBuilder.encode("'\(window.startText)'", keepSlash: false)
        url += "&endDateTime=" + URLBuilder.encode("'\(window.endText)'", keepSlash: false)
        return url + filterItem
    }

    /// A continuation request built from a bare `continuationToken`, which arrives URL-encoded already.
    ///
    /// Only bytes that would break the query (space, `&`, `#`, `'`, …) are encoded; existing `%XX` escapes
    /// are kept, because encoding them again would hand the API a different token.
    package func tokenURL(_ token: String) -> String {
        activityEventsURL + "?continuationToken='" + Self.keepingEscapes(token) + "'" + filterItem
    }

    /// What follows `page`: `lastResultSet: true` or no token ends the chain (an empty page with a token
    /// does not); a `continuationUri` is followed only to an allowed host; a bare token goes to the API.
    package func next(after page: ActivityEventsPage, step: String) throws(SluiceError) -> Next {
        if page.lastResultSet { return .done }
        guard let token = page.continuationToken else { return .done }
        guard let uri = page.continuationURI else { return .fetch(tokenURL(token)) }
        guard isAllowedContinuation(uri) else {
            let host = URLParts(uri)?.host ?? Redactor.safeURL(uri)
            let apiHost = URLParts(apiBase)?.host ?? apiBase
            throw SluiceError(.badResponse, step: step,
                              "refusing to send the token to \(host): the continuationUri points away from the API host "
                                  + "\(apiHost) and *.analysis.windows.net (if it is a genuine Power BI redirect host, "
                                  + "list it under source.continuation_hosts)")
        }
        return .fetch(uri)
    }

    /// True for the API's own origin, https on `*.analysis.windows.net`, and the job's `continuation_hosts`
    /// (https, or plain http when the host is loopback, as for the emulators).
    package func isAllowedContinuation(_ url: String) -> Bool {
        if HostPolicy.isAllowed(url: url, configuredBase: apiBase, extraHostSuffixes: HostPolicy.powerBIHostSuffixes) {
            return true
        }
        guard let parts = URLParts(url) else { return false }
        guard parts.scheme == "https" || (parts.scheme == "http" && URLPolicy.isLoopback(host: parts.host)) else {
            return false
        }
        return continuationHosts.contains { pattern in
            guard pattern.hasPrefix("*.") else { return parts.host == pattern }
            let suffix = String(pattern.dropFirst())
            return parts.host.hasSuffix(suffix) && parts.host.count > suffix.count
        }
    }

    private var filterItem: String {
        filter.map { "&$filter=" + URLBuilder.encode($0, keepSlash: false) } ?? ""
    }

    /// Percent-encodes every byte outside the unreserved set except `%`, so `%2B` stays `%2B`.
    static func keepingEscapes(_ text: String) -> String {
        text.split(separator: "%", omittingEmptySubsequences: false).enumerated().map { index, piece in
            guard index > 0 else { return URLBuilder.encode(String(piece), keepSlash: false) }
            return "%" + URLBuilder.encode(String(piece), keepSlash: false)
        }.joined()
    }
}
