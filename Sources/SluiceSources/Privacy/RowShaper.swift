package import SluiceCore

/// What a job's `target:` says about the rows before they leave the source: fields to drop, fields to
/// replace by pseudonyms, and the tenant every row belongs to.
///
/// A pure value: ``shape(_:)`` turns one batch into the batch the warehouse may see, so the clear values of
/// pseudonymised or dropped fields never reach SQLite, its WAL, a log line, an error or `status`.
package struct RowShaper: Sendable {
    let pseudonymiser: Pseudonymiser?
    /// Source names whose whole value is hashed.
    let hashed: Set<String>
    /// `Column.member` entries: in a JSON column, the members (at any depth) whose values are hashed.
    let members: [String: Set<String>]
    let dropped: Set<String>
    let tenant: String?
    /// Written on every batch's target, so the warehouse can refuse a table made another way.
    package let fingerprint: PseudonymFingerprint

    /// - Parameters:
    ///   - pseudonymiser: the keyed hash; nil when `pseudonymise` is empty.
    package init(pseudonymise: [String], drop: [String], pseudonymiser: Pseudonymiser?, tenant: String?) {
        self.pseudonymiser = pseudonymise.isEmpty ? nil : pseudonymiser
        var hashed = Set<String>()
        var members: [String: Set<String>] = [:]
        for entry in pseudonymise {
            hashed.insert(entry)
            if let dot = entry.firstIndex(of: "."), dot != entry.startIndex, entry.index(after: dot) != entry.endIndex {
                members[String(entry[..<dot]), default: []].insert(String(entry[entry.index(after: dot)...]))
            }
        }
        self.hashed = hashed
        self.members = members
        dropped = Set(drop)
        self.tenant = tenant
        fingerprint = self.pseudonymiser.map { $0.fingerprint(fields: pseudonymise) } ?? .clear
    }

    /// The shaper of `job`, with the pseudonym key already resolved (nil when the job hashes nothing).
    package init(job: JobDefinition, key: String?) {
        self.init(pseudonymise: job.target.pseudonymise, drop: job.target.drop,
                  pseudonymiser: key.map(Pseudonymiser.init(key:)), tenant: job.tenant)
    }

    /// Whether rows change at all (otherwise only the target is marked).
    var changesRows: Bool { pseudonymiser != nil || !dropped.isEmpty || tenant != nil }

    /// What becomes of one source column.
    enum Treatment: Equatable {
        case keep
        case drop
        /// The whole value is replaced by its pseudonym (a TEXT column).
        case hash
        /// The value is JSON text whose members of these names are replaced by their pseudonyms.
        case hashMembers(Set<String>)
    }

    /// An exact source name wins over a `Column.member` reading of the same entry.
    func treatment(of sourceName: String) -> Treatment {
        if dropped.contains(sourceName) { return .drop }
        if pseudonymiser != nil, hashed.contains(sourceName) { return .hash }
        if pseudonymiser != nil, let names = members[sourceName] { return .hashMembers(names) }
        return .keep
    }

    /// The batch as the warehouse may see it.
    package func shape(_ batch: Batch) -> Batch {
        var out = batch
        out.target.pseudonyms = fingerprint
        if tenant != nil, !out.target.primaryKey.isEmpty, out.target.primaryKey.first != TenantColumn.sourceName {
            out.target.primaryKey.insert(TenantColumn.sourceName, at: 0)
        }
        guard changesRows, !batch.columns.isEmpty else { return out }
        let treatments = batch.columns.map { treatment(of: $0.sourceName) }
        let kept = treatments.indices.filter { treatments[$0] != .drop }
        var columns: [Column] = tenant == nil ? [] : [Column(TenantColumn.sourceName, .text)]
        for i in kept {
            var column = batch.columns[i]
            if treatments[i] == .hash { column.type = .text }
            columns.append(column)
        }
        out.columns = columns
        let rows = batch.packed.map(\.rows) ?? batch.rows
        var shaped = PackedRows(columnCount: columns.count, reservingRows: batch.packed == nil ? 0 : rows.count)
        var plain: [[Value]] = []
        if batch.packed == nil { plain.reserveCapacity(rows.count) }
        for row in rows {
            var values: [Value] = []
            values.reserveCapacity(columns.count)
            if let tenant { values.append(.text(tenant)) }
            for i in kept { values.append(shapeCell(row[i], treatments[i])) }
            if batch.packed != nil {
                for value in values { shaped.append(value) }
                shaped.endRow()
            } else {
                plain.append(values)
            }
        }
        if batch.packed != nil {
            out.packed = shaped
            out.rows = []
        } else {
            out.rows = plain
        }
        return out
    }

    private func shapeCell(_ value: Value, _ treatment: Treatment) -> Value {
        guard let pseudonymiser else { return value }
        switch treatment {
        case .keep, .drop: return value
        case .hash: return pseudonymiser.pseudonym(value)
        case .hashMembers(let names):
            guard case .text(let text) = value else { return pseudonymiser.pseudonym(value) }
            // Text that is not JSON cannot be searched for members: all of it is hashed, so nothing clear is left.
            guard let json = try? JSONParser.parse(text) else { return pseudonymiser.pseudonym(value) }
            return .text(hashMembers(json, names, pseudonymiser).jsonText)
        }
    }

    /// `json` with the value of every member named in `names`, at any depth, replaced by its pseudonym.
    private func hashMembers(_ json: JSONValue, _ names: Set<String>, _ pseudonymiser: Pseudonymiser) -> JSONValue {
        switch json {
        case .object(let pairs):
            return .object(pairs.map { key, value in
                (key, names.contains(key) ? pseudonymiser.pseudonym(value) : hashMembers(value, names, pseudonymiser))
            })
        case .array(let items):
            return .array(items.map { hashMembers($0, names, pseudonymiser) })
        default:
            return json
        }
    }
}
