import NIOCore
import SluiceCore

/// Writes rows in `COPY … FROM STDIN` text format (tab-separated fields, `\N` for NULL, backslash escapes),
/// with the same coercions as the SQLite warehouse: a value is coerced to its column's declared type
/// (``Value/coerced(to:)``), cells of packed rows that already have the column's type are copied straight from the
/// batch's buffer, and text is checked to be UTF-8 (a cell that is not is repaired with U+FFFD, which is what
/// `String(decoding:)` does for the SQLite path's values).
///
/// PostgreSQL columns are typed, so a value that still does not fit its column after coercion (text that is no
/// number in a `BIGINT` column, which SQLite would keep as text) is written as NULL and counted per column in
/// ``misfits``; the warehouse logs the count (never the value). NUL characters, which PostgreSQL text cannot hold,
/// are dropped.
struct CopyTextEncoder {
    /// Declared types of the batch's columns, in batch order (nil: write the value as it is).
    let types: [ColumnType?]
    /// Cells written as NULL because they did not fit their column, by batch column index.
    private(set) var misfits: [Int: Int] = [:]

    init(types: [ColumnType?]) {
        self.types = types
    }

    /// Appends one row of values (exactly `types.count` of them).
    mutating func append(row: [Value], to buffer: inout ByteBuffer) {
        for (column, value) in row.enumerated() {
            if column > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
            let type = types[column]
            let fitted = type.map { value.fits($0) ? value : value.coerced(to: $0) } ?? value
            if !write(fitted, type: type, to: &buffer) { misfit(column, &buffer) }
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    /// Appends row `row` of `packed`: cells of the column's own kind straight from the buffer, others through
    /// ``append(row:to:)``'s rules.
    mutating func append(packed: PackedRows, cells: PackedRows.Cells, row: Int, to buffer: inout ByteBuffer) {
        let count = types.count
        for column in 0..<count {
            if column > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
            let cell = row * count + column
            let type = types[column]
            switch cells.kind(cell) {
            case .null:
                writeNull(&buffer)
            case .integer where type == nil || type == .bigint:
                Self.writeInteger(cells.integer(cell), to: &buffer)
            case .double where type == nil || type == .double:
                Self.writeDouble(cells.double(cell), to: &buffer)
            case .bool where type == nil || type == .boolean:
                buffer.writeInteger(cells.bool(cell) ? UInt8(ascii: "t") : UInt8(ascii: "f"))
            case .text where type == nil || type == .text
                || (type == .timestamp && Timestamps.isNormalized(utf8: cells.text(cell))):
                Self.writeText(cells.text(cell), to: &buffer)
            default:
                let value = packed.value(row: row, column: column)
                let fitted = type.map { value.coerced(to: $0) } ?? value
                if !write(fitted, type: type, to: &buffer) { misfit(column, &buffer) }
            }
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    /// Writes `value` for a column of `type`; false (nothing written) when it does not fit.
    private func write(_ value: Value, type: ColumnType?, to buffer: inout ByteBuffer) -> Bool {
        switch (value, type) {
        case (.null, _):
            writeNull(&buffer)
        case (.integer(let i), nil), (.integer(let i), .bigint?):
            Self.writeInteger(i, to: &buffer)
        case (.double(let d), nil), (.double(let d), .double?):
            Self.writeDouble(d, to: &buffer)
        case (.bool(let b), nil), (.bool(let b), .boolean?):
            buffer.writeInteger(b ? UInt8(ascii: "t") : UInt8(ascii: "f"))
        case (.text(var s), nil), (.text(var s), .text?):
            s.withUTF8 { Self.writeText($0, to: &buffer) }
        case (.text(var s), .timestamp?) where Timestamps.isNormalized(s):
            s.withUTF8 { Self.writeText($0, to: &buffer) }
        case (.text(var s), .date?) where Timestamps.isDate(s):
            s.withUTF8 { Self.writeText($0, to: &buffer) }
        default:
            return false
        }
        return true
    }

    private mutating func misfit(_ column: Int, _ buffer: inout ByteBuffer) {
        misfits[column, default: 0] += 1
        writeNull(&buffer)
    }

    private func writeNull(_ buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "\\"))
        buffer.writeInteger(UInt8(ascii: "N"))
    }

    static func writeInteger(_ value: Int64, to buffer: inout ByteBuffer) {
        if value == 0 {
            buffer.writeInteger(UInt8(ascii: "0"))
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for 20 digits and a sign
        withUnsafeMutableBytes(of: &digits) { space in
            var position = space.count
            var magnitude = value.magnitude
            while magnitude > 0 {
                position -= 1
                space[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            }
            if value < 0 {
                position -= 1
                space[position] = UInt8(ascii: "-")
            }
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: space[position...]))
        }
    }

    static func writeDouble(_ value: Double, to buffer: inout ByteBuffer) {
        if value.isNaN {
            buffer.writeString("NaN")
        } else if value.isInfinite {
            buffer.writeString(value < 0 ? "-Infinity" : "Infinity")
        } else {
            buffer.writeString(value.description)
        }
    }

    /// Text with COPY's escapes; bytes that are not UTF-8 are repaired, NUL characters dropped.
    static func writeText(_ bytes: UnsafeBufferPointer<UInt8>, to buffer: inout ByteBuffer) {
        var plain = true
        for byte in bytes where byte < 0x20 || byte == UInt8(ascii: "\\") || byte >= 0x80 {
            plain = false
            break
        }
        if plain {
            buffer.writeBytes(UnsafeRawBufferPointer(bytes))
            return
        }
        if bytes.contains(where: { $0 >= 0x80 }), String(validating: bytes, as: UTF8.self) == nil {
            var repaired = String(decoding: bytes, as: UTF8.self)
            repaired.withUTF8 { writeEscaped($0, to: &buffer) }
            return
        }
        writeEscaped(bytes, to: &buffer)
    }

    private static func writeEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to buffer: inout ByteBuffer) {
        var start = 0
        for (index, byte) in bytes.enumerated() {
            let escape: UInt8?
            switch byte {
            case UInt8(ascii: "\\"): escape = UInt8(ascii: "\\")
            case UInt8(ascii: "\t"): escape = UInt8(ascii: "t")
            case UInt8(ascii: "\n"): escape = UInt8(ascii: "n")
            case UInt8(ascii: "\r"): escape = UInt8(ascii: "r")
            case 0: escape = 0
            default: continue
            }
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[start..<index]))
            start = index + 1
            guard let escape, escape != 0 else { continue }  // NUL: dropped
            buffer.writeInteger(UInt8(ascii: "\\"))
            buffer.writeInteger(escape)
        }
        buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[start...]))
    }
}
