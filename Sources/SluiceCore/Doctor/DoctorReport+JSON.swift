/// The checklist for scripts (`sluice doctor --json`): one object, keys in a fixed order.
///
/// ```json
/// {"ok":false,"exit_code":1,"failures":1,"warnings":0,
///  "sections":[{"kind":"job","name":"ws1-devices","source":"ws1-intelligence","file":"jobs/ws1-devices.yaml",
///    "requests":2,"result":"fail","checks":[{"check":"token","result":"fail","detail":"…","fix":"…"}]}]}
/// ```
///
/// `result` is `pass`, `warn` or `fail`; `fix` is present on every check that did not pass and has one.
/// Texts are redacted like the text output (JSON escaping takes care of control characters).
extension DoctorReport {
    /// The report as a JSON value.
    package func json(redactor: Redactor = .shared) -> JSONValue {
        .object([
            ("ok", .bool(allPassed)),
            ("exit_code", .integer(Int64(exitCode))),
            ("failures", .integer(Int64(failures))),
            ("warnings", .integer(Int64(warnings))),
            ("sections", .array(sections.map { $0.json(redactor: redactor) })),
        ])
    }
}

extension DoctorSection {
    /// The section as a JSON object.
    package func json(redactor: Redactor = .shared) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("kind", .string(kind.rawValue)), ("name", .string(redactor.redact(title)))]
        if let source { pairs.append(("source", .string(source))) }
        if let file { pairs.append(("file", .string(redactor.redact(file)))) }
        if let requests { pairs.append(("requests", .integer(Int64(requests)))) }
        pairs.append(("result", .string(outcome.rawValue)))
        pairs.append(("checks", .array(checks.map { $0.json(redactor: redactor) })))
        return .object(pairs)
    }
}

extension DoctorCheck {
    /// The check as a JSON object.
    package func json(redactor: Redactor = .shared) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("check", .string(name)), ("result", .string(outcome.rawValue)), ("detail", .string(redactor.redact(detail))),
        ]
        if outcome != .pass, let fix { pairs.append(("fix", .string(redactor.redact(fix)))) }
        return .object(pairs)
    }
}
