import SluiceCore

/// The https-or-loopback rule for every URL a job calls.
package enum URLRules {
    /// Whether `host` is the local machine: `localhost`, `127.0.0.0/8` or `::1` (brackets allowed). The job-file
    /// validator's rule (``URLPolicy/isLoopback(host:)``), so validation and run time never disagree.
    package static func isLoopback(_ host: String) -> Bool {
        URLPolicy.isLoopback(host: host)
    }

    /// nil when `url` may be called; otherwise the reason, for a validation error
    /// ("http:// is only allowed for loopback hosts …"). The URL itself is not repeated, so the caller can name
    /// the key (`base_url`) and show the URL through ``Redactor/safeURL(_:)``.
    package static func validateScheme(_ url: String) -> String? {
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
