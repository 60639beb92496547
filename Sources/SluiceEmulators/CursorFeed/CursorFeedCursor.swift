import Foundation

/// The feed's opaque cursor: the key of the last row served plus a snapshot of the `updated_since` filter.
///
/// A keyset cursor (rather than an offset) is what keeps incremental feeds correct while rows change:
/// a row touched between two page requests moves behind the cursor and is served later, instead of
/// shifting every offset and making the client skip a row.
struct CursorFeedCursor: Equatable, Sendable {
    var after: CursorFeedTable.Key
    var sinceMillis: Int64?

    /// Base64url text, which clients must treat as opaque.
    var encoded: String {
        let plain = "c1:\(after.millis):\(after.id):\(sinceMillis.map(String.init) ?? "")"
        return OAuthTokenEndpoint.base64URL(Data(plain.utf8))
    }

    /// Decodes a cursor this feed issued; nil for anything else.
    init?(encoded: String) {
        var base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let plain = String(data: data, encoding: .utf8) else {
            return nil
        }
        let parts = plain.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "c1", let millis = Int64(parts[1]), let id = Int(parts[2]) else {
            return nil
        }
        if parts[3].isEmpty {
            sinceMillis = nil
        } else if let since = Int64(parts[3]) {
            sinceMillis = since
        } else {
            return nil
        }
        after = CursorFeedTable.Key(millis: millis, id: id)
    }

    init(after: CursorFeedTable.Key, sinceMillis: Int64?) {
        self.after = after
        self.sinceMillis = sinceMillis
    }
}
