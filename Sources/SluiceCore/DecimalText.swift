/// Decimal numbers read straight from bytes, without building a string first.
package enum DecimalText {
    /// Powers of ten that a Double holds exactly (10^0 … 10^22).
    private static let exactPowersOfTen: [Double] = (0...22).map { k in (0..<k).reduce(1.0) { acc, _ in acc * 10 } }

    /// `-?digits.digits` with at most 15 digits in all (no exponent), parsed without a string.
    ///
    /// Exact: the digits form an integer below 2^53 and 10^k (k ≤ 15) is exact, so the one IEEE division
    /// rounds correctly, as `strtod` does (Clinger's fast path). Anything else (exponents, more digits) gives nil:
    /// the caller falls back to `Double(String)`.
    package static func parseShort(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
        var i = 0
        let negative = b.count > 0 && b[0] == UInt8(ascii: "-")
        if negative { i = 1 }
        let intStart = i
        var mantissa: Int64 = 0
        while i < b.count, isDigit(b[i]) {
            mantissa = mantissa &* 10 &+ Int64(b[i] &- 48)
            i += 1
        }
        let intDigits = i - intStart
        guard intDigits > 0, !(intDigits > 1 && b[intStart] == UInt8(ascii: "0")),
              i < b.count, b[i] == UInt8(ascii: ".") else { return nil }
        i += 1
        let fracStart = i
        while i < b.count, isDigit(b[i]) {
            mantissa = mantissa &* 10 &+ Int64(b[i] &- 48)
            i += 1
        }
        let fracDigits = i - fracStart
        guard i == b.count, fracDigits > 0, intDigits + fracDigits <= 15 else { return nil }
        let magnitude = Double(mantissa) / exactPowersOfTen[fracDigits]
        return negative ? -magnitude : magnitude
    }

    /// `-?digits` within Int64, or nil (the caller has checked the grammar, e.g. JSON's).
    package static func parseInteger(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        let negative = b.count > 0 && b[0] == UInt8(ascii: "-")
        if negative { i = 1 }
        guard i < b.count, b.count - i <= 19 else { return nil }
        var value: Int64 = 0
        while i < b.count {
            let d = b[i] &- 48
            guard d < 10 else { return nil }
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = negative ? times.subtractingReportingOverflow(Int64(d)) : times.addingReportingOverflow(Int64(d))
            guard !o1, !o2 else { return nil }
            value = next
            i += 1
        }
        return value
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
}
