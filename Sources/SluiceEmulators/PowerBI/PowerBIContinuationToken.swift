import Foundation

/// The emulator's continuation token: where a chain stands, carried by the client (the emulator keeps no state).
///
/// The raw token looks like the real one (`+RID:~…`, base64 with `+`, `/` and `=`), and the API hands it out
/// percent-encoded (`%2BRID%3A~…`), so a client that encodes it a second time sends a token that no longer
/// decodes and gets a 400, as it would from Power BI.
struct PowerBIContinuationToken: Sendable, Equatable {
    var startMillis: Int64
    var endMillis: Int64
    /// Index of the next event to serve in the window's filtered, ordered events.
    var offset: Int
    /// A token handed out beside `lastResultSet: true`: using it is an error.
    var dead: Bool
    var filter: String?

    /// The raw token, before percent-encoding.
    var raw: String {
        let payload = "\(startMillis)|\(endMillis)|\(offset)|\(dead ? 1 : 0)|\(filter ?? "")"
        return "+RID:~" + Data(payload.utf8).base64EncodedString()
    }

    /// The token as the API hands it out in `continuationToken`: percent-encoded.
    var encoded: String { Self.percentEncode(raw) }

    init(startMillis: Int64, endMillis: Int64, offset: Int, dead: Bool = false, filter: String?) {
        self.startMillis = startMillis
        self.endMillis = endMillis
        self.offset = offset
        self.dead = dead
        self.filter = filter
    }

    /// Decodes a raw token (the query value after percent-decoding, quotes removed).
    init?(raw: String) {
        guard raw.hasPrefix("+RID:~"), let data = Data(base64Encoded: String(raw.dropFirst(6))),
            let payload = String(data: data, encoding: .utf8)
        else { return nil }
        let parts = payload.split(separator: "|", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 5, let start = Int64(parts[0]), let end = Int64(parts[1]), let offset = Int(parts[2]),
            offset >= 0
        else { return nil }
        self.init(startMillis: start, endMillis: end, offset: offset, dead: parts[3] == "1",
                  filter: parts[4].isEmpty ? nil : String(parts[4]))
    }

    /// Every byte outside `A-Z a-z 0-9 - . _ ~` as `%XX`.
    static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return out
    }
}
