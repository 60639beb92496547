/// What a table's pseudonyms were made with: a check value of the key and the pseudonymised fields.
///
/// Kept per table in `sluice_pseudonyms`, so a job whose key or field list changed cannot write into a table
/// that already holds values made the other way: one column with clear and hashed values (or hashes of two
/// keys) would silently break every count and join, and a clear value beside its hash undoes the hashing.
/// The key itself is never stored: ``keyCheck`` is an HMAC of a fixed text under the key.
package struct PseudonymFingerprint: Sendable, Hashable {
    /// Hex HMAC-SHA256 of a fixed text under the key, shortened; empty for ``clear``.
    package var keyCheck: String
    /// The pseudonymised source names, sorted.
    package var fields: [String]

    package init(keyCheck: String, fields: [String]) {
        self.keyCheck = keyCheck
        self.fields = fields.sorted()
    }

    /// A job that pseudonymises nothing.
    package static let clear = PseudonymFingerprint(keyCheck: "", fields: [])

    package var isClear: Bool { fields.isEmpty }

    /// `a, b` or `nothing`, for messages.
    package var fieldList: String { fields.isEmpty ? "nothing" : fields.joined(separator: ", ") }

    /// The stored form of ``fields``: names joined by newlines (a source name never holds one in practice, and
    /// the comparison needs no escaping since both sides are written the same way).
    package var storedFields: String { fields.joined(separator: "\n") }

    package init(keyCheck: String, storedFields: String) {
        self.init(keyCheck: keyCheck, fields: storedFields.isEmpty ? [] : storedFields.split(separator: "\n").map(String.init))
    }

    /// What the warehouse does with a batch for `table` made with `wanted`.
    package enum Decision: Sendable, Equatable {
        /// Nothing to do: the table's values were made the same way.
        case accept
        /// The first pseudonymised values go into an empty or new table: record `wanted` with them.
        case record
        /// Refused; the text says why and what to do.
        case refuse(String)
    }

    /// The decision for writing `wanted` into `table`, which was recorded with `stored` (nil: no record) and
    /// does or does not hold rows.
    package static func decide(table: String, stored: PseudonymFingerprint?, holdsData: Bool,
                              wanted: PseudonymFingerprint) -> Decision {
        let fix = "to start over, set a new target.table (or table: of the entity) and keep the old table as it is"
        guard let stored else {
            if wanted.isClear { return .accept }
            return holdsData
                ? .refuse("table '\(table)' already holds clear values; pseudonymising \(wanted.fieldList) now would "
                    + "mix clear and hashed values in one column; \(fix)")
                : .record
        }
        if stored == wanted { return .accept }
        if !holdsData { return .record }
        if wanted.isClear {
            return .refuse("table '\(table)' holds pseudonyms of \(stored.fieldList), but the job now pseudonymises "
                + "nothing: clear values would sit beside hashed ones; \(fix)")
        }
        if stored.fields != wanted.fields {
            return .refuse("table '\(table)' holds pseudonyms of \(stored.fieldList), but the job now pseudonymises "
                + "\(wanted.fieldList); \(fix)")
        }
        return .refuse("table '\(table)' holds pseudonyms made with another pseudonym_key: the new key's pseudonyms "
            + "would not match the old ones (the same person would count twice); put the old key back, or \(fix)")
    }
}
