import SluiceCore
import Testing

/// The JSON parser's numbers come straight from bytes where exact; they must equal what the string
/// conversions give, and compact JSON text must parse back to the same value.
@Suite("JSON parser")
struct JSONParserTests {
    @Test(arguments: [
        ("0", JSONValue.integer(0)), ("-0", .integer(0)), ("42", .integer(42)), ("-42", .integer(-42)),
        ("9223372036854775807", .integer(.max)), ("-9223372036854775808", .integer(.min)),
        ("9223372036854775808", .double(9223372036854775808.0)), ("-9223372036854775809", .double(-9223372036854775809.0)),
        ("12345678901234567890", .double(12345678901234567890.0)),
        ("1.5", .double(1.5)), ("-0.0", .double(-0.0)), ("1e3", .double(1000)), ("2.5E-3", .double(0.0025)),
        ("0.1", .double(0.1)), ("123456.789012", .double(123456.789012)),
        ("1.2345678901234567", .double(1.2345678901234567)),
    ])
    func numbers(_ text: String, _ expected: JSONValue) throws {
        #expect(try JSONParser.parse(text) == expected, "\(text)")
    }

    @Test func decimalsMatchTheStringConversionBitForBit() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let whole = Int.random(in: 0...999_999_999, using: &generator)
            let digits = Int.random(in: 1...9, using: &generator)
            var fraction = String(UInt64.random(in: 0...UInt64.max, using: &generator))
            fraction = String(fraction.prefix(digits))
            let text = (Bool.random(using: &generator) ? "-" : "") + "\(whole).\(fraction)"
            guard case .double(let parsed) = try JSONParser.parse(text) else {
                Issue.record("\(text) did not parse as a double")
                continue
            }
            #expect(parsed.bitPattern == Double(text)!.bitPattern, "\(text)")
        }
    }

    @Test(arguments: ["01", "-", "1.", ".5", "1e", "+1", "0x10", "1.5.2", "--1"])
    func invalidNumbersAreRejected(_ text: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(text) }
    }

    @Test func objectsKeepKeyOrderAndCompactTextRoundTrips() throws {
        let text = #"{"z":1,"a":[true,false,null,"x\"y\\z\n\t\u0001é😀"],"m":{"k":-2.5,"e":[]},"n":{}}"#
        let value = try JSONParser.parse(text)
        guard case .object(let pairs) = value else { Issue.record("not an object"); return }
        #expect(pairs.map(\.0) == ["z", "a", "m", "n"])
        #expect(try JSONParser.parse(value.jsonText) == value)
        #expect(JSONValue.string("plain text").jsonText == #""plain text""#)
        #expect(JSONValue.string("quote \" and \\ and \u{1}").jsonText == #""quote \" and \\ and \u0001""#)
    }
}
