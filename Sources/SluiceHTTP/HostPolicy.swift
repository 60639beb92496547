import SluiceCore

/// Which hosts pagination links and redirects may lead to while carrying the job's credential.
package enum HostPolicy {
    /// Power BI continuation links may point at a redirect cluster (`wabi-…-redirect.analysis.windows.net`).
    package static let powerBIHostSuffixes = [".analysis.windows.net"]

    /// True when `url` has the same scheme, host and port as `configuredBase`, or is https to a host that ends
    /// in one of `extraHostSuffixes` (each starting with a dot, so `evilanalysis.windows.net` does not match).
    package static func isAllowed(url: String, configuredBase: String, extraHostSuffixes: [String] = []) -> Bool {
        guard let target = URLParts(url) else { return false }
        if let base = URLParts(configuredBase), target.isSameOrigin(as: base) { return true }
        guard target.scheme == "https" else { return false }
        return extraHostSuffixes.contains { suffix in
            let s = suffix.lowercased()
            let dotted = s.hasPrefix(".") ? s : "." + s
            return target.host.hasSuffix(dotted) && target.host.count > dotted.count
        }
    }
}
