/// A parsed JSON value that keeps object keys in source order and integers exact.
///
/// Foundation's `JSONSerialization` loses key order (which becomes column order) and on Linux blurs
/// booleans and numbers; sources need both right, so Sluice parses JSON itself (see ``JSONParser``).
package enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    /// Key/value pairs in document order.
    case object([(String, JSONValue)])

    package static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.integer(let a), .integer(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    package func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(b)
        case .integer(let i): hasher.combine(i)
        case .double(let d): hasher.combine(d)
        case .string(let s): hasher.combine(s)
        case .array(let a): hasher.combine(a)
        case .object(let o):
            for (k, v) in o { hasher.combine(k); hasher.combine(v) }
        }
    }

    /// The value for `key` when this is an object (first occurrence).
    package subscript(key: String) -> JSONValue? {
        guard case .object(let pairs) = self else { return nil }
        for (k, v) in pairs where k == key { return v }
        return nil
    }

    package var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    package var int64Value: Int64? {
        switch self {
        case .integer(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9.0e18: return Int64(d)
        case .string(let s): return Int64(s)
        default: return nil
        }
    }

    package var doubleValue: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .double(let d): return d
        case .string(let s): return Double(s)
        default: return nil
        }
    }

    package var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    package var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    package var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// Compact JSON text (used to store arrays and objects in TEXT columns).
    ///
    /// Measured first, then written straight into the string's storage: one allocation, none for text of up to
    /// 15 bytes. Appending to a `String` piece by piece cost a feed page more than parsing it did.
    package var jsonText: String {
        var counter = ByteCounter()
        write(to: &counter)
        return String(unsafeUninitializedCapacity: counter.count) { buffer in
            var writer = ByteWriter(buffer: buffer)
            write(to: &writer)
            return writer.count
        }
    }

    func write(to out: inout some JSONByteSink) {
        switch self {
        case .null: out.append("null")
        case .bool(let b): out.append(b ? "true" : "false")
        case .integer(let i): out.append(String(i))
        case .double(let d): out.append(d.isFinite ? String(d) : "null")
        case .string(let s): JSONValue.writeString(s, to: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (i, v) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                v.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            for (i, (k, v)) in o.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.writeString(k, to: &out)
                out.append(UInt8(ascii: ":"))
                v.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// A JSON string literal: `"`, `\`, and control characters escaped; everything else as is (UTF-8).
    static func writeString(_ s: String, to out: inout some JSONByteSink) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            var start = 0
            for (i, b) in bytes.enumerated() where b < 0x20 || b == 0x22 || b == 0x5C {
                out.append(UnsafeBufferPointer(rebasing: bytes[start..<i]))
                start = i + 1
                switch b {
                case 0x22: out.append(#"\""#)
                case 0x5C: out.append(#"\\"#)
                case 0x0A: out.append(#"\n"#)
                case 0x0D: out.append(#"\r"#)
                case 0x09: out.append(#"\t"#)
                default:
                    out.append(#"\u00"#)
                    out.append(hexDigit(b >> 4))
                    out.append(hexDigit(b & 0xF))
                }
            }
            out.append(UnsafeBufferPointer(rebasing: bytes[start...]))
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 48 + v : 87 + v }
}

/// Where ``JSONValue/write(to:)`` puts bytes: a counter, then the string's storage.
protocol JSONByteSink {
    mutating func append(_ byte: UInt8)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>)
}

extension JSONByteSink {
    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }
}

struct ByteCounter: JSONByteSink {
    var count = 0
    mutating func append(_ byte: UInt8) { count += 1 }
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) { count += bytes.count }
}

struct ByteWriter: JSONByteSink {
    let buffer: UnsafeMutableBufferPointer<UInt8>
    var count = 0

    mutating func append(_ byte: UInt8) {
        buffer[count] = byte
        count += 1
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        (buffer.baseAddress! + count).update(from: base, count: bytes.count)
        count += bytes.count
    }
}
