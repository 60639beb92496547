import Yams

/// One YAML mapping of a job file, with its place in the file and its name in messages.
struct JobFileMap {
    /// One `key: value` pair, with where the key was written.
    struct Entry {
        let key: String
        let line: Int
        let column: Int
        let value: Node
    }

    /// Dotted path used in messages (`http`, `source.entities[2]`); empty for the top level.
    let path: String
    /// Where a missing key is reported: the line of the key that holds this mapping (1 at the top level).
    let line: Int
    let entries: [Entry]

    /// The name used in "unknown key … in X" and "missing required key … in X".
    var label: String { path.isEmpty ? "job" : path }

    func entry(_ key: String) -> Entry? { entries.first { $0.key == key } }

    /// `path.key`, or just `key` at the top level.
    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
}

/// Reads a composed YAML tree by hand and collects every problem with its line.
///
/// Not `Codable`: a hand reader knows the line of every key and value, reports all problems of a file at
/// once, and decides per key whether a value may be shown (secrets never are). Each reading function
/// returns nil after recording a problem, so callers simply skip what could not be read.
final class JobFileReader {
    let file: String
    private(set) var errors: [JobFileError] = []

    init(file: String) {
        self.file = file
    }

    // MARK: Recording problems

    func fail(line: Int, column: Int? = nil, _ message: String) {
        errors.append(JobFileError(file: file, line: line, column: column, message: message))
    }

    func fail(at node: Node, _ message: String) {
        fail(line: node.mark?.line ?? 0, column: node.mark?.column, message)
    }

    // MARK: Parsing

    /// The document's root node, or nil (with the problem recorded) when the text is not YAML or is empty.
    func compose(_ yaml: String) -> Node? {
        do {
            // `.basic`: no implicit-type rules. Sluice reads every scalar as text and types it itself (see
            // `isNull`), so Yams need not compile its regular expressions, which load ICU.
            guard let root = try Yams.compose(yaml: yaml, .basic) else {
                fail(line: 0, "the file is empty; a job needs at least schedule and source")
                return nil
            }
            return root
        } catch let error as YamlError {
            recordYAMLError(error, in: yaml)
        } catch {
            fail(line: 0, "not readable as YAML")
        }
        return nil
    }

    /// Yams' own description quotes the offending line, which may hold a secret; only the problem and
    /// the position are kept.
    private func recordYAMLError(_ error: YamlError, in yaml: String) {
        switch error {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            // An unquoted cron expression starts with `*`, which YAML reads as an alias.
            let line = yaml.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(mark.line - 1).first ?? ""
            let hint = line.contains(": *") ? " (quote values that start with *, e.g. schedule: \"*/15 * * * *\")" : ""
            fail(line: mark.line, column: mark.column, "not valid YAML: \(problem)\(hint)")
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            fail(line: context.mark.line, "duplicate key \(keys) (each key may appear once per block)")
        case let .reader(problem, _, _, _):
            fail(line: 0, "not readable as YAML text: \(problem)")
        default:
            fail(line: 0, "not readable as YAML")
        }
    }

    // MARK: Mappings and keys

    /// `node` as a mapping named `path`; nil (with the problem recorded) when it is something else.
    func map(_ node: Node, path: String, line: Int) -> JobFileMap? {
        guard let mapping = node.mapping else {
            fail(at: node, "\(path.isEmpty ? "the job file" : path) must be a block of 'key: value' lines")
            return nil
        }
        var entries: [JobFileMap.Entry] = []
        for (key, value) in mapping {
            guard let name = key.scalar?.string else {
                fail(at: key, "keys must be plain words")
                continue
            }
            entries.append(.init(key: name, line: key.mark?.line ?? line, column: key.mark?.column ?? 0, value: value))
        }
        return JobFileMap(path: path, line: line, entries: entries)
    }

    /// Records every key of `map` that is not in `allowed`, with a suggestion for near misses.
    func checkKeys(_ map: JobFileMap, allowed: [String]) {
        for entry in map.entries where !allowed.contains(entry.key) {
            var message = "unknown key '\(entry.key)' in \(map.label)"
            if let near = Self.suggestion(for: entry.key, among: allowed) { message += " (did you mean '\(near)'?)" }
            fail(line: entry.line, column: entry.column, message)
        }
    }

    /// The value of `key`, treating an empty value (`key:` with nothing after it) like a missing key.
    func entry(_ map: JobFileMap, _ key: String, required: Bool = false) -> JobFileMap.Entry? {
        guard let entry = map.entry(key) else {
            if required { fail(line: map.line, "missing required key '\(key)' in \(map.label)") }
            return nil
        }
        if Self.isNull(entry.value) {
            if required { fail(line: entry.line, column: entry.column, "\(map.keyPath(key)) has no value") }
            return nil
        }
        return entry
    }

    /// The mapping under `key`, named `map.keyPath(key)`.
    func childMap(_ map: JobFileMap, _ key: String, required: Bool = false) -> JobFileMap? {
        guard let entry = entry(map, key, required: required) else { return nil }
        return self.map(entry.value, path: map.keyPath(key), line: entry.line)
    }

    /// YAML's null: a plain `~`, `null`, `Null`, `NULL` or nothing, or an explicit `!!null`.
    ///
    /// Decided here rather than by Yams' tag resolver, whose regular expressions load ICU's Unicode tables
    /// into every process that reads a job file (the idle daemon's resident memory included).
    static func isNull(_ node: Node) -> Bool {
        guard let scalar = node.scalar else { return false }
        switch scalar.tag.description {
        case Tag.Name.null.rawValue: return true
        case Tag.Name.implicit.rawValue: return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
        default: return false
        }
    }

    // MARK: Suggestions

    /// The allowed word closest to `word` when it is within two edits (a swap counts as one).
    static func suggestion(for word: String, among allowed: [String]) -> String? {
        var best: (word: String, distance: Int)?
        for candidate in allowed {
            let d = editDistance(word.lowercased(), candidate)
            if d <= 2, d < (best?.distance ?? .max) { best = (candidate, d) }
        }
        return best?.word
    }

    /// Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent swaps.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
