/// RFC 3986 percent-encoding: every byte outside `A-Z a-z 0-9 - . _ ~` becomes `%XX`.
///
/// One implementation for query strings (``URLBuilder``), form bodies (OAuth token requests) and the
/// ``Redactor``, which must recognise a secret in its encoded form too.
package enum PercentEncoding {
    /// `value` with every byte outside the unreserved set percent-encoded (and `/` kept when `keepSlash`).
    package static func encode(_ value: String, keepSlash: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepSlash:
                out += "/"
            default:
                out += "%" + String(hexDigits[Int(byte >> 4)]) + String(hexDigits[Int(byte & 0xF)])
            }
        }
        return out
    }

    private static let hexDigits = Array("0123456789ABCDEF")
}
