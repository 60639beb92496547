import Yams

/// Typed reading of single values. Each function records a problem at the value's line and returns nil
/// when the value is missing (and required) or of the wrong kind.
extension JobFileReader {
    /// A text value. Numbers and booleans are accepted as their text (`report_id: 1234`).
    func string(_ map: JobFileMap, _ key: String, required: Bool = false) -> String? {
        guard let entry = entry(map, key, required: required) else { return nil }
        return scalarText(entry.value, path: map.keyPath(key))
    }

    /// The scalar's text, or nil (recorded) when `node` is a list or a block.
    func scalarText(_ node: Node, path: String) -> String? {
        switch node {
        case .scalar(let scalar): return scalar.string
        case .sequence: fail(at: node, "\(path) must be a single value, not a list")
        case .mapping: fail(at: node, "\(path) must be a single value, not a block of keys")
        case .alias: fail(at: node, "\(path) must be a single value")
        }
        return nil
    }

    /// A text value that must not be empty.
    func nonEmptyString(_ map: JobFileMap, _ key: String, required: Bool = false) -> String? {
        guard let text = string(map, key, required: required) else { return nil }
        guard !text.trimmingWhitespace().isEmpty else {
            fail(at: map.entry(key)!.value, "\(map.keyPath(key)) must not be empty")
            return nil
        }
        return text.trimmingWhitespace()
    }

    /// A whole number within `range`.
    func int(_ map: JobFileMap, _ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let entry = entry(map, key), let text = scalarText(entry.value, path: map.keyPath(key)) else { return nil }
        let digits = text.replacingAll("_", with: "")
        guard let n = Int(digits), range.contains(n) else {
            let bounds = range.upperBound == .max ? "of at least \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"
            fail(at: entry.value, "\(map.keyPath(key)) must be a whole number \(bounds), not '\(text)'")
            return nil
        }
        return n
    }

    /// `true` or `false` (YAML's `yes`/`no`/`on`/`off` too).
    func bool(_ map: JobFileMap, _ key: String) -> Bool? {
        guard let entry = entry(map, key), let text = scalarText(entry.value, path: map.keyPath(key)) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            fail(at: entry.value, "\(map.keyPath(key)) must be true or false, not '\(text)'")
            return nil
        }
    }

    /// A duration (`90s`, `15m`, `1h`, `7d`, `1h30m`) in seconds; must be above zero unless `allowZero`, and
    /// at most `max` seconds (every duration key has an upper bound: see ``DurationText/maxSeconds``).
    func duration(_ map: JobFileMap, _ key: String, allowZero: Bool = false,
                  max: Double = DurationText.maxSeconds) -> Double? {
        guard let entry = entry(map, key), let text = scalarText(entry.value, path: map.keyPath(key)) else { return nil }
        guard let seconds = DurationText.seconds(text) else {
            fail(at: entry.value, "\(map.keyPath(key)): '\(text)' is not a duration (write e.g. 90s, 15m, 1h, 7d or 1h30m)")
            return nil
        }
        guard allowZero || seconds > 0 else {
            fail(at: entry.value, "\(map.keyPath(key)) must be longer than zero")
            return nil
        }
        guard seconds <= max else {
            fail(at: entry.value, "\(map.keyPath(key)) '\(text.trimmingWhitespace())' is too long: at most \(DurationText.format(max))")
            return nil
        }
        return seconds
    }

    /// One of `options`, with a suggestion when the value is close to one.
    func choice(_ map: JobFileMap, _ key: String, _ options: [String], required: Bool = false) -> String? {
        guard let entry = entry(map, key, required: required),
              let text = scalarText(entry.value, path: map.keyPath(key)) else { return nil }
        guard options.contains(text) else {
            var message = "\(map.keyPath(key)) must be one of \(options.joined(separator: ", ")), not '\(text)'"
            if let near = Self.suggestion(for: text, among: options) { message += " (did you mean '\(near)'?)" }
            fail(at: entry.value, message)
            return nil
        }
        return text
    }

    /// One text or a list of texts (`primary_key: id` or `primary_key: [a, b]`); never empty.
    func stringList(_ map: JobFileMap, _ key: String) -> [String]? {
        guard let entry = entry(map, key) else { return nil }
        let path = map.keyPath(key)
        let items: [Node]
        if case .sequence(let sequence) = entry.value { items = Array(sequence) } else { items = [entry.value] }
        var out: [String] = []
        for item in items {
            guard let text = scalarText(item, path: path) else { return nil }
            guard !text.trimmingWhitespace().isEmpty else {
                fail(at: item, "\(path) must not contain empty names")
                return nil
            }
            out.append(text.trimmingWhitespace())
        }
        guard !out.isEmpty else {
            fail(at: entry.value, "\(path) must name at least one field")
            return nil
        }
        return out
    }

    /// A URL that passes ``URLPolicy`` (https, or plain http to loopback only).
    func url(_ map: JobFileMap, _ key: String, required: Bool = false) -> String? {
        guard let text = nonEmptyString(map, key, required: required) else { return nil }
        if let problem = URLPolicy.check(text) {
            fail(at: map.entry(key)!.value, "\(map.keyPath(key)): \(problem)")
            return nil
        }
        return text
    }

    /// Checks `text` against `[a-z_][a-z0-9_]*` and the reserved `sluice_` prefix; records the problem.
    func checkTableName(_ text: String, path: String, at node: Node) {
        if let problem = Self.tableNameProblem(text) { fail(at: node, "\(path) \(problem)") }
    }

    /// What is wrong with a warehouse table name, or nil.
    static func tableNameProblem(_ text: String) -> String? {
        guard matches(text, first: { $0 == "_" || isLowerLetter($0) },
                      rest: { $0 == "_" || isLowerLetter($0) || isDigit($0) }) else {
            return "'\(text)' must be lower-case letters, digits and _, not starting with a digit ([a-z_][a-z0-9_]*)"
        }
        guard !text.hasPrefix("sluice_") else {
            return "'\(text)' must not start with sluice_ (those tables belong to Sluice itself)"
        }
        return nil
    }

    /// Whether `text` is non-empty, its first character passes `first` and every other one `rest`.
    static func matches(_ text: String, first: (Character) -> Bool, rest: (Character) -> Bool) -> Bool {
        guard let head = text.first, first(head) else { return false }
        return text.dropFirst().allSatisfy(rest)
    }

    static func isLowerLetter(_ c: Character) -> Bool { c.isASCII && c.isLowercase }
    static func isLetter(_ c: Character) -> Bool { c.isASCII && c.isLetter }
    static func isDigit(_ c: Character) -> Bool { c.isASCII && c.isNumber }
}
