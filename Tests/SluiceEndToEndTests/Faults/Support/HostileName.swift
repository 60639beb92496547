import Testing

/// Column names no source should be able to turn into SQL, as raw bytes (some are not UTF-8).
enum HostileName: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case quotes, sqlInjection, semicolon, sqlKeywords, empty, duplicatesAfterSnakeCase, veryLong, nonUTF8Name, nonUTF8Value

    /// The hostile names this case adds beside the ordinary ones.
    var names: [[UInt8]] {
        switch self {
        case .quotes: [Array("say \"hi\" 'there'".utf8)]
        case .sqlInjection: [Array("x\"; DROP TABLE sluice_state; --".utf8), Array("y'); DELETE FROM sluice_runs; --".utf8)]
        case .semicolon: [Array("a;b".utf8)]
        case .sqlKeywords: [Array("select".utf8), Array("FROM".utf8), Array("order".utf8), Array("_sluice_run_id".utf8)]
        case .empty: [[]]
        case .duplicatesAfterSnakeCase: [Array("FooBar".utf8), Array("foo_bar".utf8), Array("Foo Bar".utf8), Array("FOO_BAR".utf8)]
        case .veryLong: [Array(String(repeating: "LongName", count: 1_000).utf8)]
        case .nonUTF8Name: [Array("bad".utf8) + [0xFF, 0xFE] + Array("name".utf8)]
        case .nonUTF8Value: [Array("plain".utf8)]
        }
    }

    /// The value of hostile column `k` in row `row` (invalid UTF-8 for `nonUTF8Value`).
    func value(row: Int, column k: Int) -> [UInt8] {
        self == .nonUTF8Value ? Array("v\(row)".utf8) + [0xC3, 0x28, 0xFF] : Array("v\(row)-\(k)".utf8)
    }

    /// Where refusing the input with a clear error is as good as loading it.
    var mayFailCleanly: Bool { self == .empty || self == .nonUTF8Name || self == .nonUTF8Value }

    var testDescription: String { rawValue }

    /// `{"rows":[…two rows…],"nextCursor":null,"schemaVersion":1}` with the hostile keys.
    func feedPage() -> [UInt8] {
        var out = Array("{\"rows\":[".utf8)
        for row in 1...2 {
            if row > 1 { out += Array(",".utf8) }
            out += Array("{\"id\":\(row),\"updated_at_utc\":\"2026-01-01T00:0\(row):00Z\"".utf8)
            for (k, name) in names.enumerated() {
                out += Array(",\"".utf8) + Self.jsonEscaped(name) + Array("\":\"".utf8) + Self.jsonEscaped(value(row: row, column: k))
                    + Array("\"".utf8)
            }
            out += Array("}".utf8)
        }
        return out + Array("],\"nextCursor\":null,\"schemaVersion\":1}".utf8)
    }

    /// A CSV with `Device UDID` and the hostile headers, two rows.
    func csv() -> [UInt8] {
        var out = Array("Device UDID".utf8)
        for name in names { out += Array(",".utf8) + Self.csvQuoted(name) }
        out += Array("\r\n".utf8)
        for row in 1...2 {
            out += Array("udid-\(row)".utf8)
            for k in names.indices { out += Array(",".utf8) + Self.csvQuoted(value(row: row, column: k)) }
            out += Array("\r\n".utf8)
        }
        return out
    }

    static func jsonEscaped(_ bytes: [UInt8]) -> [UInt8] {
        bytes.flatMap { b -> [UInt8] in b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") ? [UInt8(ascii: "\\"), b] : [b] }
    }

    static func csvQuoted(_ bytes: [UInt8]) -> [UInt8] {
        [UInt8(ascii: "\"")] + bytes.flatMap { $0 == UInt8(ascii: "\"") ? [$0, $0] : [$0] } + [UInt8(ascii: "\"")]
    }
}
