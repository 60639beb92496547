import Foundation
/// The rule for every URL Sluice calls: `https://`, or plain `http://` only to a loopback host
/// (`127.0.0.0/8`, `::1`, `localhost`), so credentials never cross a network in clear text while tests
/// and emulators on the same machine still work.
package enum URLPolicy {
    /// The problem with `url`, written for the operator, or nil when the URL is acceptable.
    ///
    /// The URL is parsed by hand rather than with `URLComponents` because job files may hold templates
    /// such as `…/cctrustoauth2/{customer_id}/tokens/clients`. Messages never repeat user info or a query.
    package static func check(_ url: String) -> String? {
        let text = url.trimmingWhitespace()
        guard !text.contains(where: { $0 == " " || $0 == "\t" || $0 == "\n" }) else {
            return "a URL must not contain spaces"
        }
        guard let separator = text.range(of: "://") else {
            return "'\(Redactor.safeURL(text))' is not a URL; write it as https://host/path"
        }
        let scheme = text[..<separator.lowerBound].lowercased()
        guard scheme == "https" || scheme == "http" else {
            return "'\(scheme)://' is not supported; use https://"
        }
        let afterScheme = text[separator.upperBound...]
        let authorityEnd = afterScheme.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? afterScheme.endIndex
        let authority = afterScheme[..<authorityEnd]
        guard !authority.contains("@") else {
            return "a URL must not carry a user name or password; use a secret reference instead"
        }
        guard let (host, port) = splitHostPort(authority) else {
            return "'\(Redactor.safeURL(text))' has no valid host[:port]"
        }
        if let port, !(port.allSatisfy { $0.isASCII && $0.isNumber } && (Int(port).map { (1...65_535).contains($0) } ?? false)) {
            return "'\(Redactor.safeURL(text))' has an invalid port"
        }
        if scheme == "http", !isLoopback(host: host) {
            let rest = Redactor.safeURL(String(afterScheme))
            return "plain http is only allowed to loopback (127.0.0.0/8, ::1, localhost); use https://\(rest)"
        }
        return nil
    }

    /// Whether `host` (a name, an IPv4 address, or an IPv6 address with or without brackets) is loopback.
    package static func isLoopback(host: String) -> Bool {
        var h = host.lowercased()
        if h.hasPrefix("["), h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
        if h.hasSuffix("."), h != "." { h.removeLast() }
        if h == "localhost" || h == "::1" || h == "0:0:0:0:0:0:0:1" { return true }
        let octets = h.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return false }
        let values = octets.map { part -> Int? in
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            return Int(part).flatMap { $0 <= 255 ? $0 : nil }
        }
        return values.allSatisfy { $0 != nil } && values[0] == 127
    }

    /// Host and optional port text of an authority; nil when the host is empty or malformed.
    private static func splitHostPort(_ authority: Substring) -> (host: String, port: Substring?)? {
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            let host = String(authority[...close])
            let rest = authority[authority.index(after: close)...]
            if rest.isEmpty { return host.count > 2 ? (host, nil) : nil }
            guard rest.hasPrefix(":") else { return nil }
            return (host, rest.dropFirst())
        }
        let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, let name = parts.first, !name.isEmpty,
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_") })
        else { return nil }
        return (String(name), parts.count == 2 ? parts[1] : nil)
    }
}
