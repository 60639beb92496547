/// Turns JSON values into warehouse values and guesses column types from the first value seen.
package enum TypeInference {
    /// The column type a JSON value suggests: integers → BIGINT, decimals → DOUBLE, booleans → BOOLEAN,
    /// strings that are instants → TIMESTAMP, `YYYY-MM-DD` → DATE, other strings and arrays/objects → TEXT.
    /// Returns nil for `null` (type unknown yet).
    package static func columnType(for value: JSONValue) -> ColumnType? {
        switch value {
        case .null: return nil
        case .bool: return .boolean
        case .integer: return .bigint
        case .double: return .double
        case .string(let s):
            if looksLikeTimestamp(s) { return .timestamp }
            if Timestamps.isDate(s) { return .date }
            return .text
        case .array, .object: return .text
        }
    }

    /// True when `s` is a date-time in one of the accepted source formats (not a bare date).
    package static func looksLikeTimestamp(_ s: String) -> Bool {
        let count = s.utf8.count
        guard count >= 19, count <= 40 else { return false }
        return Timestamps.normalize(s) != nil
    }

    /// The warehouse value for a JSON value in a column of `type` (timestamps normalised, JSON kept as text).
    package static func value(_ json: JSONValue, as type: ColumnType) -> Value {
        switch json {
        case .null: return .null
        case .bool(let b): return Value.bool(b).coerced(to: type)
        case .integer(let i): return Value.integer(i).coerced(to: type)
        case .double(let d): return Value.double(d).coerced(to: type)
        case .string(let s): return Value.text(s).coerced(to: type)
        case .array, .object: return .text(json.jsonText)
        }
    }
}
