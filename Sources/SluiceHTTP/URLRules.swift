/// The https-or-loopback rule for every URL a job calls (design.md §3).
public enum URLRules {
    /// Whether `host` is the local machine: `localhost`, `127.0.0.0/8` or `::1` (brackets allowed).
    public static func isLoopback(_ host: String) -> Bool {
        var h = host.lowercased()
        if h.hasPrefix("["), h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
        if h == "localhost" || h == "::1" || h == "0:0:0:0:0:0:0:1" { return true }
        let octets = h.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets[0] == "127" else { return false }
        return octets.allSatisfy { o in !o.isEmpty && o.count <= 3 && o.allSatisfy { ("0"..."9").contains($0) } && (Int(o) ?? 256) <= 255 }
    }

    /// nil when `url` may be called; otherwise the reason, for a validation error
    /// ("http:// is only allowed for loopback hosts …"). The URL itself is not repeated, so the caller can name
    /// the key (`base_url`) and show the URL through ``Redactor/safeURL(_:)``.
    public static func validateScheme(_ url: String) -> String? {
        guard let parts = URLParts(url) else { return "is not an absolute http(s) URL" }
        switch parts.scheme {
        case "https":
            return nil
        case "http":
            return isLoopback(parts.host)
                ? nil
                : "uses http:// for host \(parts.host); https is required except for loopback hosts (127.0.0.0/8, ::1, localhost)"
        default:
            return "uses unsupported scheme \(parts.scheme)://; use https"
        }
    }
}
