import Foundation
import Synchronization

/// Removes secrets from text before it reaches a log line, an error, the warehouse or `status` output.
///
/// Every secret resolved from a job file is registered here for the life of the process (there are as many as
/// the job files name). Values that change during the process's life (access tokens, the query values of a
/// signed redirect) go into a *slot* instead: a slot keeps only its last two generations, so a daemon that
/// fetches a token per credential per hour for months holds a few dozen values, not tens of thousands.
/// ``redact(_:)`` replaces each occurrence (and its percent-encoded form) with `[REDACTED]` in one pass over
/// the text, whatever the number of secrets. Signed-URL query strings and `Authorization` values are stripped
/// by pattern as well, so a secret never registered still cannot leak through a URL or a header dump.
package final class Redactor: Sendable {
    private struct State {
        /// Secrets kept for the life of the process.
        var permanent: Set<String> = []
        /// Rotating values by slot: the current generation and the one before it.
        var slots: [String: (current: [String], previous: [String])] = [:]
        var matcher = Matcher(forms: [])

        mutating func rebuild() {
            var forms = permanent
            for (current, previous) in slots.values { forms.formUnion(current); forms.formUnion(previous) }
            matcher = Matcher(forms: forms)
        }
    }

    private let state = Mutex(State())

    package init() {}

    /// The process-wide redactor used by log handlers and error construction.
    package static let shared = Redactor()

    /// Registers a secret value for the life of the process. Values shorter than 4 characters are ignored
    /// (they would redact noise).
    package func register(_ secret: String) {
        let forms = Self.forms(of: secret)
        guard !forms.isEmpty else { return }
        state.withLock { state in
            guard !forms.allSatisfy(state.permanent.contains) else { return }
            state.permanent.formUnion(forms)
            state.rebuild()
        }
    }

    /// Makes `values` the current generation of `slot` (a credential's token, a job's signed-URL values); the
    /// generation before stays redacted too (a line about the old token may still be on its way), older ones
    /// are forgotten.
    package func rotate(_ values: [String], slot: String) {
        let forms = values.flatMap(Self.forms(of:))
        state.withLock { state in
            let old = state.slots[slot]
            guard old?.current != forms else { return }
            state.slots[slot] = (current: forms, previous: old?.current ?? [])
            state.rebuild()
        }
    }

    /// How many values are redacted now (for tests and the soak figures).
    package var count: Int { state.withLock { $0.matcher.count } }

    /// `text` with every registered secret, bearer token, Basic credential and URL query string removed.
    package func redact(_ text: String) -> String {
        let matcher = state.withLock { $0.matcher }
        return Redactor.stripPatterns(matcher.count == 0 ? text : matcher.replace(in: text))
    }

    /// The trimmed value and its percent-encoded form; nothing for values under 4 characters.
    private static func forms(of secret: String) -> [String] {
        let trimmed = secret.trimmingWhitespace()
        guard trimmed.count >= 4 else { return [] }
        let encoded = PercentEncoding.encode(trimmed)
        return encoded != trimmed ? [trimmed, encoded] : [trimmed]
    }

    /// Finds every registered form in one left-to-right pass: candidates are indexed by their first byte and
    /// tried longest first, so a secret containing another is replaced whole.
    struct Matcher: Sendable {
        private let byFirstByte: [[[UInt8]]]
        let count: Int

        init(forms: Set<String>) {
            var index = [[[UInt8]]](repeating: [], count: 256)
            for form in forms {
                let bytes = Array(form.utf8)
                guard let first = bytes.first else { continue }
                index[Int(first)].append(bytes)
            }
            for i in index.indices where index[i].count > 1 {
                index[i].sort { $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1) }
            }
            byFirstByte = index
            count = forms.count
        }

        func replace(in text: String) -> String {
            var text = text
            return text.withUTF8 { bytes -> String in
                var out: [UInt8] = []
                var copied = 0
                var i = 0
                let n = bytes.count
                scan: while i < n {
                    let candidates = byFirstByte[Int(bytes[i])]
                    if !candidates.isEmpty {
                        for candidate in candidates where candidate.count <= n - i {
                            var k = 1
                            while k < candidate.count, bytes[i + k] == candidate[k] { k += 1 }
                            guard k == candidate.count else { continue }
                            if out.isEmpty { out.reserveCapacity(n) }
                            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<i]))
                            out.append(contentsOf: Redactor.marker)
                            i += candidate.count
                            copied = i
                            continue scan
                        }
                    }
                    i += 1
                }
                guard copied > 0 else { return String(decoding: bytes, as: UTF8.self) }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<n]))
                return String(decoding: out, as: UTF8.self)
            }
        }
    }

    private static let marker = Array("[REDACTED]".utf8)

    /// A URL safe to show: scheme, host, port and path, never the query string (signed URLs carry
    /// their signature there) nor user info.
    package static func safeURL(_ url: String) -> String {
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
    package func replacingAll(_ target: String, with replacement: String) -> String {
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
    package func trimmingWhitespace() -> String {
        let ws: Set<Character> = [" ", "\t", "\n", "\r"]
        var s = self[...]
        while let f = s.first, ws.contains(f) { s = s.dropFirst() }
        while let l = s.last, ws.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
