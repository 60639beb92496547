package import SluiceCore

/// Turns pages of JSON objects into batches with one column list, remembering column types across pages.
///
/// A column's type is decided by the first non-null value seen (or by `knownTypes` from the warehouse or the
/// source's metadata); a key seen only with nulls so far is left out until it has a value, so it is never
/// created with a wrong type. Keys keep the order in which they first appeared.
package struct RowAssembler: Sendable {
    private var types: [String: ColumnType]
    private var order: [String] = []
    private var seen: Set<String> = []

    /// - Parameter knownTypes: types already decided (warehouse columns, `$metadata`, job-file overrides).
    package init(knownTypes: [String: ColumnType] = [:]) {
        types = knownTypes
    }

    /// The type decided for a source field, if any.
    package func type(of field: String) -> ColumnType? { types[field] }

    /// Fixes the type of a field (from metadata or overrides) before any value is seen.
    package mutating func declare(_ field: String, as type: ColumnType) {
        types[field] = type
    }

    /// Builds the columns and rows for `objects` (each a JSON object; anything else is an error).
    /// - Parameter flatten: how to turn one object into ordered fields (default: its top-level pairs).
    package mutating func assemble(_ objects: [JSONValue], origin: String) throws(SluiceError) -> (columns: [Column], rows: [[Value]]) {
        var pageFields: [String] = []
        var inPage: Set<String> = []
        // Rows of a feed nearly always list the same keys in the same order. `settled[p]` is the key found
        // at position p of an earlier row once it was typed and recorded for this page; meeting it there
        // again needs nothing (one string comparison instead of four hash lookups per cell).
        var settled: [String?] = []
        for object in objects {
            guard case .object(let pairs) = object else {
                throw SluiceError(.badResponse, step: origin, "expected every row to be a JSON object")
            }
            for (position, (key, value)) in pairs.enumerated() {
                if position < settled.count, settled[position] == key { continue }
                if types[key] == nil, let t = TypeInference.columnType(for: value) { types[key] = t }
                if !seen.contains(key) { seen.insert(key); order.append(key) }
                if !inPage.contains(key), types[key] != nil { inPage.insert(key) }
                if inPage.contains(key) {
                    if position >= settled.count { settled.append(contentsOf: repeatElement(nil, count: position - settled.count + 1)) }
                    settled[position] = key
                }
            }
        }
        // Columns: every typed field seen in this page, plus typed fields the warehouse already has, in first-seen order.
        for key in order where inPage.contains(key) { pageFields.append(key) }
        let columns = pageFields.map { Column($0, types[$0] ?? .text) }
        var index: [String: Int] = [:]
        for (i, key) in pageFields.enumerated() { index[key] = i }
        var rows: [[Value]] = []
        rows.reserveCapacity(objects.count)
        for object in objects {
            guard case .object(let pairs) = object else { continue }
            var row = [Value](repeating: .null, count: columns.count)
            for (position, (key, value)) in pairs.enumerated() {
                // The column at the same position is usually this key's; the dictionary is the fallback.
                let i: Int
                if position < pageFields.count, pageFields[position] == key {
                    i = position
                } else if let found = index[key] {
                    i = found
                } else {
                    continue
                }
                row[i] = TypeInference.value(value, as: columns[i].type)
            }
            rows.append(row)
        }
        return (columns, rows)
    }
}
