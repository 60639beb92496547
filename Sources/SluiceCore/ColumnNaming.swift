/// Turns source column names into warehouse identifiers (snake_case, ASCII, at most 63 bytes).
///
/// The rule, applied in this order:
/// 1. Every character that is not an ASCII letter or digit separates words (spaces, punctuation, quotes,
///    non-ASCII letters), so hostile text such as `x"; DROP TABLE t; --` can only ever yield letters,
///    digits and underscores (`x_drop_table_t`).
/// 2. Inside a separated token, camelCase humps split: lower or digit → Upper (`CreationTime` →
///    creation, time), and an acronym run ends before its last capital when a lower-case letter follows
///    (`IPAddress` → IP, Address; `userID` → user, ID).
/// 3. Adjacent hump words that the sources spell as two humps but mean as one word are joined again,
///    from ``compounds``: `WorkSpaceName` → workspace, name (Power BI spells it both `WorkSpaceName`
///    and `WorkspaceId`; both must land on `workspace_…`).
/// 4. Words are lower-cased and joined with `_`. Empty → `column`; a leading digit gets `c_`.
/// 5. Longer than 63 bytes: cut to 54 and append `_` plus 8 hex digits of a stable hash of the full name.
///
/// The result never starts with `_`, so it cannot collide with the `_sluice_…` metadata columns.
package enum ColumnNaming {
    /// Maximum identifier length in bytes (PostgreSQL's limit; short enough for every BI tool).
    package static let maxLength = 63

    /// Hump pairs joined into one word. Append-only: changing it would rename columns of new tables only,
    /// but existing tables keep their recorded mapping (``Warehouse`` reads `sluice_columns` first).
    package static let compounds: [(String, String)] = [
        ("work", "space"),   // Power BI WorkSpaceName next to WorkspaceId
        ("o", "data"),       // Citrix ODataID-style names
        ("log", "on"),       // Citrix LogOnDuration, LogOnSummaries
        ("data", "set"),     // DataSetName next to DatasetId
        ("data", "flow"),    // DataFlowName next to DataflowId
    ]

    /// The snake_case identifier for `sourceName` (before collision handling).
    package static func identifier(for sourceName: String) -> String {
        var words: [String] = []
        var token: [UInt8] = []
        for byte in sourceName.utf8 {
            if isAlphanumeric(byte) {
                token.append(byte)
            } else if !token.isEmpty {
                words += joinCompounds(humps(token))
                token.removeAll(keepingCapacity: true)
            }
        }
        if !token.isEmpty { words += joinCompounds(humps(token)) }

        var name = words.joined(separator: "_")
        if name.isEmpty { name = "column" }
        if let first = name.utf8.first, isDigit(first) { name = "c_" + name }
        if name.hasPrefix("_sluice") { name = "c" + name }
        return shortened(name, fullName: name)
    }

    /// `name` cut to fit `maxLength` together with `suffix`, with a hash of `fullName` when it had to be cut.
    package static func shortened(_ name: String, fullName: String, suffix: String = "") -> String {
        guard name.utf8.count + suffix.utf8.count > maxLength else { return name + suffix }
        let hash = "_" + hex8(fnv1a(fullName))
        let keep = maxLength - suffix.utf8.count - hash.utf8.count
        var head = String(decoding: name.utf8.prefix(keep), as: UTF8.self)
        while head.hasSuffix("_") { head.removeLast() }
        return head + hash + suffix
    }

    /// Splits one ASCII alphanumeric token at camelCase humps, lower-casing each word.
    static func humps(_ token: [UInt8]) -> [String] {
        var words: [String] = []
        var start = 0
        for i in 1..<max(token.count, 1) {
            let prev = token[i - 1], cur = token[i]
            let lowerToUpper = (isLower(prev) || isDigit(prev)) && isUpper(cur)
            let acronymEnd = isUpper(prev) && isUpper(cur) && i + 1 < token.count && isLower(token[i + 1])
            if lowerToUpper || acronymEnd {
                words.append(lowered(token[start..<i]))
                start = i
            }
        }
        if start < token.count { words.append(lowered(token[start...])) }
        return words
    }

    /// Joins adjacent words listed in ``compounds``.
    static func joinCompounds(_ words: [String]) -> [String] {
        var out: [String] = []
        var i = 0
        while i < words.count {
            if i + 1 < words.count, compounds.contains(where: { $0.0 == words[i] && $0.1 == words[i + 1] }) {
                out.append(words[i] + words[i + 1])
                i += 2
            } else {
                out.append(words[i])
                i += 1
            }
        }
        return out
    }

    private static func lowered(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.map { isUpper($0) ? $0 + 32 : $0 }, as: UTF8.self)
    }

    private static func isUpper(_ b: UInt8) -> Bool { b >= 65 && b <= 90 }
    private static func isLower(_ b: UInt8) -> Bool { b >= 97 && b <= 122 }
    private static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
    private static func isAlphanumeric(_ b: UInt8) -> Bool { isUpper(b) || isLower(b) || isDigit(b) }

    /// 32-bit FNV-1a: stable across runs and platforms (unlike `Hasher`, which is seeded per process).
    static func fnv1a(_ text: String) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return hash
    }

    private static func hex8(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}

/// Hands out unique column names within one table, deterministically (`name`, `name_2`, `name_3`, …).
///
/// Linear in the number of names: each base name remembers the next suffix to try, so a header of thousands of
/// equal names does not retry `_2`, `_3`, … from the start for every one of them.
package struct ColumnNameAllocator {
    /// Lower-cased names already in use (SQLite compares ASCII identifiers case-insensitively).
    private var taken: Set<String>
    private var nextSuffix: [String: Int] = [:]

    package init(taken: some Sequence<String>) {
        self.taken = Set(taken.map { $0.lowercased() })
    }

    /// A name for `sourceName` not used before in this table; marks it as used.
    package mutating func allocate(for sourceName: String) -> String {
        let base = ColumnNaming.identifier(for: sourceName)
        guard taken.contains(base) else {
            taken.insert(base)
            return base
        }
        var n = nextSuffix[base, default: 2]
        var candidate = ColumnNaming.shortened(base, fullName: base, suffix: "_\(n)")
        while taken.contains(candidate) {
            n += 1
            candidate = ColumnNaming.shortened(base, fullName: base, suffix: "_\(n)")
        }
        nextSuffix[base] = n + 1
        taken.insert(candidate)
        return candidate
    }
}
