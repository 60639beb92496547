import Hummingbird

/// Builds JSON text by appending, so a page of a thousand rows is one pass without Codable's overhead.
///
/// The emulators write their payloads by hand so that field order, number formatting (`12.30`) and
/// escaping are exactly what the tests expect and stay stable between runs.
struct JSONText {
    private(set) var text: String = ""

    init(reservingCapacity capacity: Int = 256) {
        text.reserveCapacity(capacity)
    }

    /// Appends raw, already valid JSON (punctuation, numbers, literals).
    mutating func raw(_ fragment: String) { text += fragment }

    /// Appends a quoted, escaped JSON string.
    mutating func string(_ value: String) {
        text += JSONText.quoted(value)
    }

    /// Appends a JSON string, or `null` when the value is nil.
    mutating func optionalString(_ value: String?) {
        if let value { string(value) } else { raw("null") }
    }

    /// Returns the value as a quoted JSON string with every character JSON requires escaped.
    static func quoted(_ value: String) -> String {
        var out = "\""
        out.reserveCapacity(value.utf8.count + 2)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Formats integer hundredths as a JSON number with exactly two decimals (`1234` → `12.34`).
    static func decimal(hundredths: Int) -> String {
        let sign = hundredths < 0 ? "-" : ""
        let magnitude = hundredths.magnitude
        let cents = magnitude % 100
        return sign + String(magnitude / 100) + "." + (cents < 10 ? "0" : "") + String(cents)
    }
}

extension Response {
    /// A response whose body is the given JSON text.
    static func json(_ text: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A JSON error body `{"error": code}` with the given status, the shape the emulated APIs use for refusals.
    static func jsonError(_ code: String, status: HTTPResponse.Status, headers: HTTPFields = [:]) -> Response {
        json("{\"error\":" + JSONText.quoted(code) + "}", status: status, headers: headers)
    }
}
