/// Writes the CSV of a ``WS1CSVSpec``: the same bytes for the same spec, any number of rows, row by row.
///
/// Shaped like an Intelligence device report: header names with spaces and quotes,
/// values quoted only where needed (commas, quotes, line breaks), dates as `2019-05-04-17:40:30 UTC`,
/// empty cells, booleans, integers and decimals.
package struct WS1CSVGenerator: Sendable {
    package let spec: WS1CSVSpec
    private let eol: [UInt8]

    package init(_ spec: WS1CSVSpec) {
        self.spec = spec
        self.eol = Array(spec.lineEnding.rawValue.utf8)
    }

    static let baseHeaders = [
        "Device Friendly Name", "Device UDID", "Serial \"Number\"", "Last Seen (UTC)", "Enrolled",
        "Battery %", "Storage Free GB", "Notes", "Enrollment Date", "Platform, OS",
    ]

    /// Column names, in order.
    package var headers: [String] {
        (0..<max(1, spec.columns)).map { $0 < Self.baseHeaders.count ? Self.baseHeaders[$0] : "Extra Column \($0 + 1)" }
    }

    /// The byte order mark (if any) and the header line.
    package func head() -> [UInt8] {
        var out: [UInt8] = spec.byteOrderMark ? [0xEF, 0xBB, 0xBF] : []
        for (index, name) in headers.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            Self.appendField(name, to: &out)
        }
        out += eol
        return out
    }

    /// Appends data row `row` (1-based) with its line end (none after the last row unless `finalLineEnding`).
    package func appendRow(_ row: Int, to out: inout [UInt8]) {
        let count = max(1, spec.columns)
        for column in 0..<count {
            if column > 0 { out.append(UInt8(ascii: ",")) }
            appendValue(row: row, column: column, to: &out)
        }
        if case .wrongFieldCount(let bad) = spec.fault, bad == row { out += Array(",unexpected".utf8) }
        if row < spec.rows || spec.finalLineEnding { out += eol }
    }

    /// The whole body in memory (for small downloads), with the spec's fault applied.
    package func body() -> [UInt8] {
        var out = head()
        for row in 1...max(1, spec.rows) where spec.rows > 0 { appendRow(row, to: &out) }
        if spec.fault == .truncated { out = Self.truncated(out) }
        return out
    }

    /// `body` cut inside a quoted field that starts past the middle (a cut at a line end would go unnoticed).
    static func truncated(_ body: [UInt8]) -> [UInt8] {
        var i = body.count / 2
        while i + 2 < body.count {
            if body[i] == UInt8(ascii: "\""), body[i - 1] == UInt8(ascii: ",") { return Array(body[..<(i + 2)]) }
            i += 1
        }
        return Array(body[..<(body.count / 2)])
    }

    private func appendValue(row: Int, column: Int, to out: inout [UInt8]) {
        let h = Self.mix(UInt64(spec.seed) &* 1_000_003 &+ UInt64(row) &* 131 &+ UInt64(column))
        let kind = column < Self.baseHeaders.count ? column : 10 + (column - Self.baseHeaders.count) % 4
        switch kind {
        case 0:
            let models = ["MacBook Pro, 14\"", "Surface \"Laptop\" 5", "ThinkPad X1", "iPad Air"]
            Self.appendField("\(models[Int(h % 4)]) #\(row)", to: &out)
        case 1: Self.appendASCII(Self.hex(h) + Self.hex(Self.mix(h)), to: &out)
        case 2: Self.appendASCII("C02" + String(h % 1_000_000_000, radix: 36).uppercased(), to: &out)
        case 3, 13: Self.appendASCII(Self.ws1Date(seconds: 1_767_225_600 + Int64(row) * 37 + Int64(h % 86_400)), to: &out)
        case 4: Self.appendASCII(h % 3 == 0 ? "false" : "true", to: &out)
        case 5: if row % 11 != 0 { Self.appendASCII(String(h % 101), to: &out) }
        case 6: Self.appendASCII(String(h % 5000) + "." + String(h / 7 % 10) + String(h / 11 % 9 + 1), to: &out)
        case 7:
            if let every = spec.multilineEvery, every > 0, row % every == 0 {
                Self.appendField("line one of \(row)\nline \"two\", with comma", to: &out)
            } else if row % 3 == 0 {
                Self.appendASCII("ok", to: &out)
            }
        case 8, 12: Self.appendASCII(String(Self.ws1Date(seconds: 1_700_000_000 + Int64(h % 50_000_000)).prefix(10)), to: &out)
        case 9: Self.appendASCII(["Apple macOS", "Windows Desktop", "Android", "Apple iOS"][Int(h % 4)], to: &out)
        case 10: Self.appendASCII(String(h % 1_000_000), to: &out)
        case 11: Self.appendASCII(String(h % 100_000) + ".25", to: &out)
        default: Self.appendASCII("value-" + String(h % 9973), to: &out)
        }
    }

    /// `2019-05-04-17:40:30 UTC`.
    static func ws1Date(seconds: Int64) -> String {
        let iso = EmulatorTimestamp.iso8601(millis: seconds * 1000)  // 2019-05-04T17:40:30Z
        return String(iso.prefix(10)) + "-" + String(iso.dropFirst(11).prefix(8)) + " UTC"
    }

    /// A field, quoted when it holds a comma, quote or line break (quotes doubled).
    static func appendField(_ text: String, to out: inout [UInt8]) {
        let bytes = Array(text.utf8)
        let needsQuotes = bytes.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
        guard needsQuotes else { return out += bytes }
        out.append(UInt8(ascii: "\""))
        for b in bytes {
            if b == UInt8(ascii: "\"") { out.append(b) }
            out.append(b)
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func appendASCII(_ text: String, to out: inout [UInt8]) { out += text.utf8 }

    private static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    /// SplitMix64's finaliser: a fixed, well-spread hash of the cell position.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
