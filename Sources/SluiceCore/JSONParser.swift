/// A strict RFC 8259 JSON parser producing ``JSONValue`` (object key order kept, integers exact).
package struct JSONParser {
    /// Why a document is not valid JSON, with the byte offset where parsing stopped.
    package struct Failure: Error, Sendable, CustomStringConvertible, Equatable {
        package var offset: Int
        package var reason: String
        package var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    /// The most memory one parsed document may take by default (see ``parse(_:memoryLimit:)``).
    package static let defaultMemoryLimit = 256 * 1_048_576

    /// Parses a whole document; trailing non-space bytes are an error.
    ///
    /// `memoryLimit` bounds what the parsed values take in memory (counted as they are built: containers,
    /// their slots and long strings). A page of tiny objects takes ~50 times its size as values; a server
    /// sending one would otherwise cost gigabytes before the page could be refused.
    package static func parse(_ bytes: [UInt8], memoryLimit: Int = defaultMemoryLimit) throws(Failure) -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer throws(Failure) -> JSONValue in
            var parser = Cursor(bytes: buffer, depthLimit: 512, memoryLimit: memoryLimit)
            parser.skipSpace()
            let value = try parser.value()
            parser.skipSpace()
            guard parser.index == buffer.count else { throw parser.fail("unexpected data after the document") }
            return value
        }
    }

    /// Parses UTF-8 text.
    package static func parse(_ text: String) throws(Failure) -> JSONValue {
        try parse(Array(text.utf8))
    }

    struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        var depth = 0
        let depthLimit: Int
        let memoryLimit: Int
        /// Bytes the values built so far take, approximately (see ``charge(_:)``).
        var spent = 0
        /// Keys of the last object closed: rows of a page have the same keys, so the next object reserves
        /// exactly that many slots (no regrowth, and no 8 empty slots for a one-key object).
        var keysHint = 0

        static let pairStride = MemoryLayout<(String, JSONValue)>.stride
        static let valueStride = MemoryLayout<JSONValue>.stride
        /// What one heap allocation costs beyond its contents (header and rounding).
        static let allocationOverhead = 48

        init(bytes: UnsafeBufferPointer<UInt8>, depthLimit: Int, memoryLimit: Int) {
            self.bytes = bytes
            self.depthLimit = depthLimit
            self.memoryLimit = memoryLimit
        }

        mutating func charge(_ amount: Int) throws(Failure) {
            spent += amount
            guard spent <= memoryLimit else {
                throw fail("the document would take more than \(memoryLimit / 1_048_576) MiB in memory")
            }
        }

        func fail(_ reason: String) -> Failure { Failure(offset: index, reason: reason) }

        mutating func skipSpace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        mutating func value() throws(Failure) -> JSONValue {
            guard index < bytes.count else { throw fail("unexpected end of data (truncated body?)") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try object()
            case UInt8(ascii: "["): return try array()
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: throw fail("unexpected character '\(Character(Unicode.Scalar(bytes[index])))'")
            }
        }

        mutating func literal(_ word: StaticString) throws(Failure) {
            let n = word.utf8CodeUnitCount
            guard index + n <= bytes.count else { throw fail("unexpected end of data (truncated body?)") }
            let w = word.utf8Start
            for k in 0..<n where bytes[index + k] != w[k] { throw fail("invalid literal") }
            index += n
        }

        mutating func object() throws(Failure) -> JSONValue {
            depth += 1
            guard depth <= depthLimit else { throw fail("nesting deeper than \(depthLimit)") }
            defer { depth -= 1 }
            index += 1
            var pairs: [(String, JSONValue)] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(pairs) }
            let reserve = keysHint > 0 ? min(keysHint, 256) : 4
            pairs.reserveCapacity(reserve)
            try charge(Self.allocationOverhead + reserve * Self.pairStride)
            while true {
                skipSpace()
                guard index < bytes.count else { throw fail("unexpected end of data (truncated body?)") }
                guard bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
                let key = try string()
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                index += 1
                skipSpace()
                if pairs.count >= reserve { try charge(Self.pairStride) }
                pairs.append((key, try value()))
                skipSpace()
                guard index < bytes.count else { throw fail("unexpected end of data (truncated body?)") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    keysHint = pairs.count
                    return .object(pairs)
                }
                throw fail("expected ',' or '}'")
            }
        }

        mutating func array() throws(Failure) -> JSONValue {
            depth += 1
            guard depth <= depthLimit else { throw fail("nesting deeper than \(depthLimit)") }
            defer { depth -= 1 }
            index += 1
            var items: [JSONValue] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            try charge(Self.allocationOverhead)
            while true {
                skipSpace()
                try charge(Self.valueStride)
                items.append(try value())
                skipSpace()
                guard index < bytes.count else { throw fail("unexpected end of data (truncated body?)") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
                throw fail("expected ',' or ']'")
            }
        }

        mutating func number() throws(Failure) -> JSONValue {
            let start = index
            var isInteger = true
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number") }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
            } else {
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                isInteger = false
                index += 1
                guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number") }
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                isInteger = false
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number") }
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            // Straight from the bytes where exact (every integer in range, short decimals); a string only
            // for the rest. Half the numbers of a feed page used to cost a string each.
            let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
            if isInteger, let i = DecimalText.parseInteger(slice) { return .integer(i) }
            if !isInteger, let d = DecimalText.parseShort(slice) { return .double(d) }
            guard let d = Double(String(decoding: slice, as: UTF8.self)) else { throw fail("invalid number") }
            return .double(d)
        }

        func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }

        mutating func string() throws(Failure) -> String {
            index += 1
            let start = index
            // Fast path: no escapes.
            while index < bytes.count {
                let b = bytes[index]
                if b == UInt8(ascii: "\"") {
                    // Up to 15 UTF-8 bytes live inside the String itself; longer ones take an allocation.
                    if index - start > 15 { try charge(Self.allocationOverhead + index - start) }
                    let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                    index += 1
                    return s
                }
                if b == UInt8(ascii: "\\") { break }
                if b < 0x20 { throw fail("control character in string") }
                index += 1
            }
            guard index < bytes.count else { throw fail("unterminated string (truncated body?)") }
            var out = Array(bytes[start..<index])
            while index < bytes.count {
                let b = bytes[index]
                if b == UInt8(ascii: "\"") {
                    index += 1
                    if out.count > 15 { try charge(Self.allocationOverhead + out.count) }
                    return String(decoding: out, as: UTF8.self)
                }
                if b < 0x20 { throw fail("control character in string") }
                if b != UInt8(ascii: "\\") { out.append(b); index += 1; continue }
                index += 1
                guard index < bytes.count else { break }
                let e = bytes[index]
                index += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if scalar >= 0xD800, scalar < 0xDC00 {
                        // Surrogate pair.
                        if index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                            index += 2
                            let low = try hex4()
                            guard low >= 0xDC00, low < 0xE000 else { throw fail("invalid surrogate pair") }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            scalar = 0xFFFD
                        }
                    } else if scalar >= 0xDC00, scalar < 0xE000 {
                        scalar = 0xFFFD
                    }
                    let u = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default: throw fail("invalid escape")
                }
            }
            throw fail("unterminated string (truncated body?)")
        }

        mutating func hex4() throws(Failure) -> UInt32 {
            guard index + 4 <= bytes.count else { throw fail("invalid \\u escape") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[index]
                let d: UInt32
                switch c {
                case 48...57: d = UInt32(c - 48)
                case 65...70: d = UInt32(c - 55)
                case 97...102: d = UInt32(c - 87)
                default: throw fail("invalid \\u escape")
                }
                v = v << 4 | d
                index += 1
            }
            return v
        }
    }
}
