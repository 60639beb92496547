/// The values one cron field allows, as a bit set: bit `n` set means value `n` matches.
///
/// A bit set makes the next-fire search a couple of bit operations per field instead of a scan.
struct CronField: Sendable, Hashable {
    var bits: UInt64 = 0

    func contains(_ value: Int) -> Bool {
        value >= 0 && value < 64 && bits & (1 << UInt64(value)) != 0
    }

    /// The smallest allowed value that is `>= value`, or nil when there is none.
    func next(atOrAfter value: Int) -> Int? {
        guard value < 64 else { return nil }
        let masked = bits & (UInt64.max << UInt64(max(value, 0)))
        return masked == 0 ? nil : masked.trailingZeroBitCount
    }

    /// The allowed values in ascending order.
    var values: [Int] { (0..<64).filter(contains) }

    mutating func insert(_ value: Int) { bits |= 1 << UInt64(value) }
}

/// How one field of a cron expression is written: its name (for errors), its range and its value names.
struct CronFieldSpec {
    let name: String
    let range: ClosedRange<Int>
    /// `names[i]` stands for `range.lowerBound + i`, except for weekdays, where `SUN` (index 0) is 0.
    let names: [String]
    let namesHint: String

    static let minute = CronFieldSpec(name: "minute", range: 0...59, names: [], namesHint: "")
    static let hour = CronFieldSpec(name: "hour", range: 0...23, names: [], namesHint: "")
    static let dayOfMonth = CronFieldSpec(name: "day-of-month", range: 1...31, names: [], namesHint: "")
    static let month = CronFieldSpec(
        name: "month", range: 1...12,
        names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
        namesHint: " or month name (JAN-DEC)")
    /// 0-7 because both 0 and 7 mean Sunday; 7 is folded into 0 when stored.
    static let dayOfWeek = CronFieldSpec(
        name: "day-of-week", range: 0...7,
        names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
        namesHint: " or weekday name (SUN-SAT)")

    private var isDayOfWeek: Bool { range.upperBound == 7 }

    /// Parses one whole field (a comma-separated list) into its bit set.
    func parse(_ text: Substring) throws -> CronField {
        var field = CronField()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else { throw error("empty item in '\(text)'") }
            try parseItem(item, into: &field)
        }
        return field
    }

    /// One list item: `*`, `a`, `a-b`, each optionally followed by `/step`.
    private func parseItem(_ item: Substring, into field: inout CronField) throws {
        let slashParts = item.split(separator: "/", omittingEmptySubsequences: false)
        guard slashParts.count <= 2 else { throw error("'\(item)' is not a value, range or step") }
        let base = slashParts[0]
        var step = 1
        if slashParts.count == 2 {
            let stepText = slashParts[1]
            let span = range.count - (isDayOfWeek ? 1 : 0)
            guard let n = Int(digitsOnly: stepText) else { throw error("step '\(stepText)' in '\(item)' is not a number") }
            guard n >= 1, n <= span else { throw error("step \(n) is out of range 1-\(span)") }
            step = n
        }
        let low: Int
        let high: Int
        if base == "*" {
            low = range.lowerBound
            high = range.upperBound
        } else {
            let bounds = base.split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count <= 2, bounds.allSatisfy({ !$0.isEmpty }) else {
                throw error("'\(item)' is not a value, range or step")
            }
            low = try value(bounds[0])
            if bounds.count == 2 {
                high = try value(bounds[1])
                guard low <= high else { throw error("range \(bounds[0])-\(bounds[1]) starts after it ends") }
            } else {
                // `a/n` runs from a to the end of the field, as cronie reads it.
                high = slashParts.count == 2 ? range.upperBound : low
            }
        }
        for v in stride(from: low, through: high, by: step) {
            field.insert(isDayOfWeek && v == 7 ? 0 : v)
        }
    }

    /// A number or (where the field has them) a name, checked against the field's range.
    private func value(_ text: Substring) throws -> Int {
        if let n = Int(digitsOnly: text) {
            guard range.contains(n) else {
                throw error("\(text) is out of range \(range.lowerBound)-\(range.upperBound)")
            }
            return n
        }
        if let index = names.firstIndex(of: text.uppercased()) {
            return isDayOfWeek ? index : range.lowerBound + index
        }
        throw error("'\(text)' is not a number\(namesHint)")
    }

    private func error(_ message: String) -> CronError {
        CronError(message: "\(name): \(message)")
    }
}

extension Int {
    /// Plain ASCII digits only (no sign, no spaces); a number too large for `Int` becomes `Int.max`, which
    /// every range check then rejects with the digits the user wrote.
    fileprivate init?(digitsOnly text: Substring) {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        self = Int(text) ?? Int.max
    }
}
