package import SluiceCore

/// Column types for CSV text, which carries no types of its own: inferred from sample values, then applied
/// to every cell straight from the parser's bytes.
///
/// A column is the narrowest type every non-empty sample fits: BIGINT ⊂ DOUBLE, BOOLEAN (`true`/`false`),
/// TIMESTAMP (WS1's `2019-05-04-17:40:30 UTC`, ISO 8601), DATE (`YYYY-MM-DD`), else TEXT. Integers with a
/// leading zero (`007`, zip codes, asset tags) stay TEXT so no digit is lost. Empty cells are NULL.
package enum CSVColumnTyping {
    /// The type for a column whose sample values are `values` (empty strings ignored); TEXT when all are empty.
    package static func inferType(_ values: some Sequence<String>) -> ColumnType {
        var integer = true, decimal = true, boolean = true, timestamp = true, date = true
        var any = false
        for value in values where !value.isEmpty {
            any = true
            if integer, !isInteger(value) { integer = false }
            if decimal, !isDecimal(value) { decimal = false }
            if boolean, !isBoolean(value) { boolean = false }
            if timestamp, !TypeInference.looksLikeTimestamp(value) { timestamp = false }
            if date, !Timestamps.isDate(value) { date = false }
            if !(integer || decimal || boolean || timestamp || date) { return .text }
        }
        guard any else { return .text }
        if integer { return .bigint }
        if decimal { return .double }
        if boolean { return .boolean }
        if timestamp { return .timestamp }
        if date { return .date }
        return .text
    }

    /// The warehouse value of one cell of a column of `type`; a cell that does not fit is kept as text.
    /// (The loader writes cells with ``append(_:as:to:)``; this reads one back, so there is one set of rules.)
    package static func value(_ bytes: UnsafeBufferPointer<UInt8>, as type: ColumnType) -> Value {
        var cell = PackedRows(columnCount: 1)
        append(bytes, as: type, to: &cell)
        cell.endRow()
        return cell.value(row: 0, column: 0)
    }

    /// Appends one cell of a column of `type` to `rows`: the narrowest fitting value, straight from the bytes (no
    /// `String` for text cells); a cell that does not fit is kept as text, an empty one is NULL.
    package static func append(_ bytes: UnsafeBufferPointer<UInt8>, as type: ColumnType, to rows: inout PackedRows) {
        if bytes.isEmpty { return rows.appendNull() }
        switch type {
        case .bigint:
            if let i = parseInteger(bytes) { return rows.appendInteger(i) }
        case .double:
            if let i = parseInteger(bytes) { return rows.appendDouble(Double(i)) }
            if let d = DecimalText.parseShort(bytes) { return rows.appendDouble(d) }
            if isDecimal(bytes), let d = Double(String(decoding: bytes, as: UTF8.self)) { return rows.appendDouble(d) }
        case .boolean:
            if let b = parseBoolean(bytes) { return rows.appendBool(b) }
        case .timestamp:
            if Timestamps.isNormalized(utf8: bytes) { return rows.appendText(bytes) }
            if let length = Timestamps.utcRewriteLength(bytes) {
                return rows.appendText(count: length) { Timestamps.writeUTCRewrite(bytes, length: length, into: $0) }
            }
            if var normalized = Timestamps.normalize(utf8: bytes) { return normalized.withUTF8 { rows.appendText($0) } }
        case .date, .text:
            break
        }
        rows.appendText(bytes)
    }

    /// The same for a cell already held as a string.
    package static func value(_ text: String, as type: ColumnType) -> Value {
        var text = text
        return text.withUTF8 { value($0, as: type) }
    }

    /// `-?[0-9]+` without a leading zero (except `0` itself), within Int64.
    static func isInteger(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { parseInteger($0) != nil }
    }

    /// A plain decimal number: `-?digits[.digits][e±digits]`; no `nan`, `inf`, hex or leading `+`/`.`.
    static func isDecimal(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { isDecimal($0) }
    }

    static func isDecimal(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
        let intStart = i
        while i < b.count, isDigit(b[i]) { i += 1 }
        let intDigits = i - intStart
        guard intDigits > 0, !(intDigits > 1 && b[intStart] == UInt8(ascii: "0")) else { return false }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            let fracStart = i
            while i < b.count, isDigit(b[i]) { i += 1 }
            guard i > fracStart else { return false }
        }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            let expStart = i
            while i < b.count, isDigit(b[i]) { i += 1 }
            guard i > expStart else { return false }
        }
        return i == b.count
    }

    static func isBoolean(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { parseBoolean($0) != nil }
    }

    /// `-?[0-9]{1,18}` without a leading zero (except `0` itself): an integer column's cell. Longer or
    /// zero-led digit runs (IMEIs, asset tags, zip codes) stay text so no digit is lost.
    static func parseInteger(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        let start = b.first == UInt8(ascii: "-") ? 1 : 0
        let digits = b.count - start
        guard digits > 0, digits <= 18, !(digits > 1 && b[start] == UInt8(ascii: "0")) else { return nil }
        return DecimalText.parseInteger(b)
    }

    static func parseBoolean(_ b: UnsafeBufferPointer<UInt8>) -> Bool? {
        func matches(_ word: StaticString) -> Bool {
            guard b.count == word.utf8CodeUnitCount else { return false }
            let w = word.utf8Start
            for i in 0..<b.count where b[i] | 0x20 != w[i] { return false }
            return true
        }
        if matches("true") { return true }
        if matches("false") { return false }
        return nil
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
}
