import SluiceCore

/// Builds request URLs with percent-encoded query items (RFC 3986 unreserved characters kept as they are).
package enum URLBuilder {
    /// `base` joined with `path` segments and `query` items, skipping items whose value is nil.
    package static func url(_ base: String, path: [String] = [], query: [(String, String?)] = []) -> String {
        var url = base
        for segment in path {
            if !url.hasSuffix("/") { url += "/" }
            url += encode(segment, keepSlash: false)
        }
        let items = query.compactMap { k, v in v.map { encode(k, keepSlash: false) + "=" + encode($0, keepSlash: false) } }
        if !items.isEmpty { url += (url.contains("?") ? "&" : "?") + items.joined(separator: "&") }
        return url
    }

    /// Percent-encodes everything but unreserved characters (and `/` when `keepSlash`).
    package static func encode(_ s: String, keepSlash: Bool) -> String {
        PercentEncoding.encode(s, keepSlash: keepSlash)
    }
}
