import SluiceCore
import Testing
@testable import SluiceSources

/// The short-decimal fast path (CSV cells, JSON numbers) must give exactly what `Double(String)` gives.
@Suite("short decimal parsing")
struct ShortDecimalTests {
    @Test(arguments: ["0", "1", "-1", "3.14", "-0.5", "12345.678", "0.1", "0.2", "0.3", "99.99", "1.000001",
                      "123456789012345", "-9007199254740993", "7.", ".5", "1e3", "abc", "", "-", "00.10"])
    func matchesFoundationParsing(_ text: String) {
        var copy = text
        let fast = copy.withUTF8 { DecimalText.parseShort($0) }
        if let fast {
            #expect(fast == Double(text), "\(text): \(fast) vs \(String(describing: Double(text)))")
        }
    }

    @Test func randomDecimalsMatchBitForBit() {
        var generator = SystemRandomNumberGenerator()
        var checked = 0
        for _ in 0..<20_000 {
            let whole = Int.random(in: -99_999...99_999, using: &generator)
            let fraction = Int.random(in: 0...9_999, using: &generator)
            let text = "\(whole).\(String(fraction).count < 4 ? String(repeating: "0", count: 4 - String(fraction).count) : "")\(fraction)"
            var copy = text
            guard let fast = copy.withUTF8({ DecimalText.parseShort($0) }) else { continue }
            #expect(fast == Double(text), "\(text)")
            checked += 1
        }
        #expect(checked > 10_000)
    }
}
