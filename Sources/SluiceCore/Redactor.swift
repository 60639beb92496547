import Foundation
import Synchronization

/// Removes secrets from text before it reaches a log line, an error, the warehouse or `status` output.
///
/// Every secret resolved from a job file and every token fetched is registered here; ``redact(_:)`` replaces
/// each occurrence (and its percent-encoded form) with `[REDACTED]`. Signed-URL query strings and
/// `Authorization` values are stripped by pattern as well, so a secret never registered still cannot leak
/// through a URL or a header dump.
public final class Redactor: Sendable {
    private let secrets = Mutex<[String]>([])

    public init() {}

    /// The process-wide redactor used by log handlers and error construction.
    public static let shared = Redactor()

    /// Registers a secret value. Values shorter than 4 characters are ignored (they would redact noise).
    public func register(_ secret: String) {
        let trimmed = secret.trimmingWhitespace()
        guard trimmed.count >= 4 else { return }
        var forms = [trimmed]
        let encoded = PercentEncoding.encode(trimmed)
        if encoded != trimmed { forms.append(encoded) }
        secrets.withLock { list in
            for form in forms where !list.contains(form) { list.append(form) }
            // Longest first, so a secret containing another is replaced whole.
            list.sort { $0.count > $1.count }
        }
    }

    /// `text` with every registered secret, bearer token, Basic credential and URL query string removed.
    public func redact(_ text: String) -> String {
        var out = text
        let list = secrets.withLock { $0 }
        for secret in list where out.contains(secret) {
            out = out.replacingAll(secret, with: "[REDACTED]")
        }
        return Redactor.stripPatterns(out)
    }

    /// A URL safe to show: scheme, host, port and path, never the query string (signed URLs carry
    /// their signature there) nor user info.
    public static func safeURL(_ url: String) -> String {
        var s = url
        if let q = s.firstIndex(where: { $0 == "?" || $0 == "#" }) { s = String(s[..<q]) + (s[q] == "?" ? "?[query redacted]" : "") }
        if let schemeEnd = s.range(of: "://"), let at = s[schemeEnd.upperBound...].firstIndex(of: "@"),
           !s[schemeEnd.upperBound..<at].contains("/") {
            s = String(s[..<schemeEnd.upperBound]) + String(s[s.index(after: at)...])
        }
        return s
    }

    static func stripPatterns(_ text: String) -> String {
        var out = text
        for scheme in ["Bearer ", "bearer ", "Basic ", "basic ", "bearer=", "Bearer="] {
            var searchFrom = out.startIndex
            while let r = out.range(of: scheme, range: searchFrom..<out.endIndex) {
                var end = r.upperBound
                while end < out.endIndex, !" \"',;\n\r\t}".contains(out[end]) { end = out.index(after: end) }
                if end == r.upperBound { searchFrom = r.upperBound; continue }
                out.replaceSubrange(r.upperBound..<end, with: "[REDACTED]")
                searchFrom = out.index(r.upperBound, offsetBy: "[REDACTED]".count)
            }
        }
        // Signed query strings: X-Amz-Signature=…, Signature=…, sig=…
        for key in ["Signature=", "signature=", "X-Amz-Signature=", "sig=", "Key-Pair-Id=", "access_token=",
                    "client_secret=", "X-Amz-Credential=", "Expires="] {
            var searchFrom = out.startIndex
            while let r = out.range(of: key, range: searchFrom..<out.endIndex) {
                var end = r.upperBound
                while end < out.endIndex, !"& \"'\n\r\t".contains(out[end]) { end = out.index(after: end) }
                out.replaceSubrange(r.upperBound..<end, with: "[REDACTED]")
                searchFrom = out.index(r.upperBound, offsetBy: "[REDACTED]".count)
            }
        }
        return out
    }

}

extension String {
    /// Replaces every occurrence of `target` with `replacement` (no Foundation needed).
    public func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = self[...]
        while let r = rest.range(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        out += rest
        return out
    }

    /// The string without leading and trailing spaces, tabs and newlines.
    public func trimmingWhitespace() -> String {
        let ws: Set<Character> = [" ", "\t", "\n", "\r"]
        var s = self[...]
        while let f = s.first, ws.contains(f) { s = s.dropFirst() }
        while let l = s.last, ws.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
