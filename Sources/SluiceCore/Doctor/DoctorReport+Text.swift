/// The checklist as a person reads it in a terminal.
///
/// ```
/// job ws1-devices  (ws1-intelligence, jobs/ws1-devices.yaml, 2 requests)
///   ✔ job file  valid
///   ✘ token     Intelligence rejected the client id/secret (HTTP 401, invalid_client)
///               → check client_id and client_secret …
/// ```
///
/// Every detail and fix is redacted and shown on one line (control characters escaped), so neither a secret
/// nor a server's stray escape sequence reaches the terminal.
extension DoctorReport {
    /// The whole report, sections separated by a blank line, ending with ``summaryLine``.
    package func text(redactor: Redactor = .shared) -> String {
        var blocks = sections.map { $0.text(redactor: redactor) }
        blocks.append(summaryLine)
        return blocks.joined(separator: "\n\n") + "\n"
    }
}

extension DoctorSection {
    /// The heading and one line per check (plus a `→` line under each check that has a fix).
    package func text(redactor: Redactor = .shared) -> String {
        func clean(_ text: String) -> String { ControlCharacters.escaped(redactor.redact(text)) }
        var lines = [clean(heading)]
        let width = checks.map(\.name.count).max() ?? 0
        let indent = String(repeating: " ", count: 2 + 2 + width + 2)
        for check in checks {
            let pad = String(repeating: " ", count: width - check.name.count)
            lines.append("  \(check.outcome.symbol) \(check.name)\(pad)  \(clean(check.detail))")
            if let fix = check.fix, check.outcome != .pass { lines.append(indent + "→ " + clean(fix)) }
        }
        return lines.joined(separator: "\n")
    }

    /// `job feed  (cursor-feed, jobs/feed.yaml, 2 requests)`, `job file jobs/x.yaml`, `warehouse ./w.db`.
    package var heading: String {
        switch kind {
        case .job:
            var details = [source, file].compactMap { $0 }
            if let requests { details.append(requests == 1 ? "1 request" : "\(requests) requests") }
            return "job \(title)" + (details.isEmpty ? "" : "  (" + details.joined(separator: ", ") + ")")
        case .jobFile:
            return "job file \(title)"
        case .warehouse:
            return "warehouse \(title)"
        }
    }
}
