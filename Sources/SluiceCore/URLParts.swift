import Foundation

/// The parts of an absolute URL that security decisions need: scheme, host, port and the rest.
///
/// A deliberately small parser: it never normalises or percent-decodes, so what it compares is what the
/// client will connect to.
package struct URLParts: Sendable, Hashable {
    /// Lowercased: `https`, `http`.
    package var scheme: String
    /// Lowercased, IPv6 without brackets.
    package var host: String
    /// The explicit port, or the scheme's default (443, 80).
    package var port: Int
    /// Path, query and fragment, starting with `/` (or empty).
    package var rest: String

    /// nil when `url` is not absolute `scheme://host…` or its port is not a number.
    package init?(_ url: String) {
        guard let sep = url.range(of: "://") else { return nil }
        let scheme = url[..<sep.lowerBound].lowercased()
        guard !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter || $0 == "+" || $0 == "-" || $0 == "." }) else {
            return nil
        }
        let afterScheme = url[sep.upperBound...]
        let authorityEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? afterScheme.endIndex
        var authority = afterScheme[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { return nil }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else { return nil }
        let defaultPort = scheme == "https" ? 443 : (scheme == "http" ? 80 : 0)
        var port = defaultPort
        if let portText, !portText.isEmpty {
            guard let p = Int(portText), (0...65_535).contains(p) else { return nil }
            port = p
        }
        self.scheme = scheme
        self.host = host.lowercased()
        self.port = port
        self.rest = String(afterScheme[authorityEnd...])
    }

    /// The values of `url`'s query string (`a=1&b=x` → `["1", "x"]`), raw and percent-decoded, for redaction.
    package static func queryValues(_ url: String) -> [String] {
        guard let q = url.firstIndex(of: "?") else { return [] }
        let query = url[url.index(after: q)...].prefix { $0 != "#" }
        var values: [String] = []
        for item in query.split(separator: "&") {
            guard let eq = item.firstIndex(of: "=") else { continue }
            let value = String(item[item.index(after: eq)...])
            values.append(value)
            if let decoded = value.removingPercentEncoding, decoded != value { values.append(decoded) }
        }
        return values
    }

    /// `scheme://host:port`, the origin that decides whether credentials may be sent.
    package var origin: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(shownHost):\(port)"
    }

    /// `host`, or `host:port` when the port is not the scheme's default, for messages.
    package var hostAndPort: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        let defaultPort = scheme == "https" ? 443 : (scheme == "http" ? 80 : 0)
        return port == defaultPort ? shownHost : "\(shownHost):\(port)"
    }

    /// Whether `other` has the same scheme, host and port.
    package func isSameOrigin(as other: URLParts) -> Bool {
        scheme == other.scheme && host == other.host && port == other.port
    }

    /// Resolves a `Location` header against this URL: absolute, scheme-relative (`//host/x`),
    /// absolute-path (`/x`) or relative (`x`, `../x`: against this URL's directory).
    package func resolve(_ location: String) -> String {
        if URLParts(location) != nil { return location }
        let shownHost = host.contains(":") ? "[\(host)]" : host
        let defaultPort = scheme == "https" ? 443 : (scheme == "http" ? 80 : 0)
        let authority = port == defaultPort ? shownHost : "\(shownHost):\(port)"
        if location.hasPrefix("//") { return "\(scheme):\(location)" }
        if location.hasPrefix("/") { return "\(scheme)://\(authority)\(location)" }
        let path = rest.prefix(while: { $0 != "?" && $0 != "#" })
        if location.hasPrefix("?") { return "\(scheme)://\(authority)\(path)\(location)" }
        let directory = path.lastIndex(of: "/").map { path[...$0] } ?? "/"
        return "\(scheme)://\(authority)\(directory)\(location)"
    }
}
