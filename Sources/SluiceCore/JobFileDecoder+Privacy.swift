import Yams

/// `target.pseudonymise`, `target.drop`, `target.pseudonym_key` and the top-level `tenant:`.
///
/// The rules here keep clear personal data out of places the row shaping cannot reach: a source's cursor
/// field becomes a checkpoint in `sluice_state` and in `status` output, so it can be neither hashed nor
/// dropped; a key column cannot be dropped (rows would have no key); a column hashed into text cannot be
/// declared a number.
extension JobFileDecoder {
    static func readPrivacy(_ reader: JobFileReader, _ map: JobFileMap, source: SourceSettings?,
                            into target: inout TargetSettings) {
        target.pseudonymise = reader.stringList(map, "pseudonymise") ?? []
        target.drop = reader.stringList(map, "drop") ?? []
        target.pseudonymKey = reader.secret(map, "pseudonym_key")
        let listed = map.entry("pseudonymise")
        if let listed, !target.pseudonymise.isEmpty, map.entry("pseudonym_key") == nil {
            reader.fail(line: listed.line, column: listed.column,
                        "target.pseudonymise needs target.pseudonym_key: the secret the pseudonyms are keyed with, "
                            + "e.g. pseudonym_key: {credential: pseudonym_key} (keep it: a new key means a new table)")
        }
        if let keyEntry = map.entry("pseudonym_key"), listed == nil {
            reader.fail(line: keyEntry.line, column: keyEntry.column,
                        "target.pseudonym_key is set but target.pseudonymise names no field to hash")
        }
        for name in duplicates(target.pseudonymise) {
            reader.fail(at: listed!.value, "target.pseudonymise names '\(name)' twice")
        }
        for name in duplicates(target.drop) {
            reader.fail(at: map.entry("drop")!.value, "target.drop names '\(name)' twice")
        }
        for name in target.pseudonymise where target.drop.contains(name) {
            reader.fail(at: map.entry("drop")!.value,
                        "'\(name)' is in both target.pseudonymise and target.drop; a dropped field is never stored, "
                            + "so keep it in one of them")
        }
        for name in target.pseudonymise {
            if let type = target.columns[name], type != .text {
                reader.fail(at: listed!.value, "'\(name)' is pseudonymised, which stores text, but target.columns "
                    + "declares it \(type.rawValue); remove it from target.columns")
            }
        }
        guard let source else { return }
        for name in cursorFields(of: source) {
            if let listed, target.pseudonymise.contains(name) {
                reader.fail(at: listed.value, "'\(name)' is the source's cursor (its value becomes the job's "
                    + "checkpoint, which status shows) and cannot be pseudonymised")
            }
            if let dropped = map.entry("drop"), target.drop.contains(name) {
                reader.fail(at: dropped.value, "'\(name)' is the source's cursor and cannot be dropped")
            }
        }
        if let dropped = map.entry("drop") {
            for name in keyFields(of: source, target: target) where target.drop.contains(name) {
                reader.fail(at: dropped.value, "'\(name)' is part of the primary key and cannot be dropped "
                    + "(pseudonymise it instead: the hash is as unique as the value)")
            }
        }
    }

    /// Fields whose values a source keeps as its checkpoint.
    static func cursorFields(of source: SourceSettings) -> [String] {
        switch source {
        case .cursorFeed(let s): return [s.updatedField]
        case .powerBIActivity: return ["CreationTime"]
        case .citrixMonitor(let s): return s.entities.compactMap(\.cursor)
        case .ws1Intelligence: return []
        }
    }

    /// Primary-key fields known from the job file (Citrix's built-in keys are known only to the source).
    static func keyFields(of source: SourceSettings, target: TargetSettings) -> [String] {
        var keys = target.primaryKey
        switch source {
        case .cursorFeed(let s) where keys.isEmpty: keys = [s.keyField]
        case .powerBIActivity where keys.isEmpty: keys = ["Id"]
        case .citrixMonitor(let s): keys += s.entities.flatMap { $0.key ?? [] }
        default: break
        }
        return keys
    }

    private static func duplicates(_ names: [String]) -> [String] {
        var seen = Set<String>()
        var repeated: [String] = []
        for name in names where !seen.insert(name).inserted && !repeated.contains(name) { repeated.append(name) }
        return repeated
    }

    /// `tenant:` like a job name: lower-case letters, digits, `_` and `-`.
    static func readTenant(_ reader: JobFileReader, _ top: JobFileMap, target: TargetSettings) -> String? {
        guard let text = reader.nonEmptyString(top, "tenant"), let entry = top.entry("tenant") else { return nil }
        guard isJobName(text), text.utf8.count <= 63 else {
            reader.fail(at: entry.value, "tenant '\(text)' must be lower-case letters, digits, _ and -, starting with "
                + "a letter or digit ([a-z0-9][a-z0-9_-]*), at most 63 characters")
            return nil
        }
        for (key, names) in [("primary_key", target.primaryKey), ("pseudonymise", target.pseudonymise),
                             ("drop", target.drop)] where names.contains(TenantColumn.sourceName) {
            reader.fail(at: entry.value, "target.\(key) names '\(TenantColumn.sourceName)', the column tenant: adds "
                + "(it leads the primary key by itself)")
        }
        return text
    }
}

extension JobFileDecoder {
    /// Jobs that write the same table in `snapshot` or `replace` mode: each load of one would replace what the
    /// other loaded (for tenants: one customer's rows would hide the other's). Only upsert tables are shared.
    static func sharedDatasetTables(_ jobs: [JobDefinition]) -> [(job: JobDefinition, table: String, others: [String])] {
        func place(_ job: JobDefinition) -> (table: String, mode: LoadMode)? {
            switch job.source {
            case .citrixMonitor, .powerBIActivity: return nil  // upsert only
            case .ws1Intelligence: return (job.target.table ?? job.defaultTable, job.target.mode ?? .snapshot)
            case .cursorFeed: return (job.target.table ?? job.defaultTable, job.target.mode ?? .upsert)
            }
        }
        let placed = jobs.compactMap { job in place(job).map { (job: job, table: $0.table, mode: $0.mode) } }
        return placed.compactMap { entry in
            let sharing = placed.filter { $0.table == entry.table && $0.job.name != entry.job.name }
            guard !sharing.isEmpty, entry.mode != .upsert || sharing.contains(where: { $0.mode != .upsert }) else {
                return nil
            }
            return (entry.job, entry.table, sharing.map(\.job.name))
        }
    }
}

/// The column `tenant:` adds to every row of a job's tables.
package enum TenantColumn {
    /// Its source name (and, in a new table, its column name); it leads the primary key.
    package static let sourceName = "tenant"
}
