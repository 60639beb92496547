/// Builds request URLs with percent-encoded query items (RFC 3986 unreserved characters kept as they are).
public enum URLBuilder {
    /// `base` joined with `path` segments and `query` items, skipping items whose value is nil.
    public static func url(_ base: String, path: [String] = [], query: [(String, String?)] = []) -> String {
        var url = base
        for segment in path {
            if !url.hasSuffix("/") { url += "/" }
            url += encode(segment, keepSlash: false)
        }
        let items = query.compactMap { k, v in v.map { encode(k, keepSlash: false) + "=" + encode($0, keepSlash: false) } }
        if !items.isEmpty { url += (url.contains("?") ? "&" : "?") + items.joined(separator: "&") }
        return url
    }

    /// Percent-encodes everything but unreserved characters (and `/` when `keepSlash`).
    public static func encode(_ s: String, keepSlash: Bool) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        let hex = Array("0123456789ABCDEF")
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepSlash:
                out += "/"
            default:
                out += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0xF)])
            }
        }
        return out
    }
}
