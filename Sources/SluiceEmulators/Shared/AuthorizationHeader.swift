import Foundation

/// Splits `Authorization` header values the way the emulated APIs read them.
enum AuthorizationHeader {
    /// The scheme word before the first space (`Bearer`, `Basic`, `CWSAuth`), or the whole value without one.
    static func scheme(of value: String) -> String {
        String(value.prefix { $0 != " " })
    }

    /// The token of `Bearer <token>` (scheme compared case-insensitively), or nil for any other form.
    static func bearerToken(_ value: String?) -> String? {
        guard let value, let space = value.firstIndex(of: " ") else { return nil }
        guard value[..<space].lowercased() == "bearer" else { return nil }
        let token = value[value.index(after: space)...].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// Client id and secret of `Basic base64(id:secret)`, or nil when the header is not valid Basic.
    static func basicCredentials(_ value: String?) -> (id: String, secret: String)? {
        guard let value, let space = value.firstIndex(of: " "), value[..<space].lowercased() == "basic",
            let data = Data(base64Encoded: value[value.index(after: space)...].trimmingCharacters(in: .whitespaces)),
            let decoded = String(data: data, encoding: .utf8), let colon = decoded.firstIndex(of: ":")
        else { return nil }
        // RFC 6749 §2.3.1: both halves are form-encoded before they are joined.
        let id = FormEncoding.decode(String(decoded[..<colon]))
        let secret = FormEncoding.decode(String(decoded[decoded.index(after: colon)...]))
        return (id, secret)
    }
}

/// `application/x-www-form-urlencoded` decoding, for token request bodies and query strings.
enum FormEncoding {
    /// Parses `a=1&b=x+y` into name/value pairs, in order; `+` is a space, `%XX` a byte.
    static func parse(_ text: String) -> [(name: String, value: String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(String(parts[0])), parts.count > 1 ? decode(String(parts[1])) : "")
        }
    }

    /// Decodes one form-encoded component; malformed escapes are kept literally.
    static func decode(_ component: String) -> String {
        let spaced = component.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
