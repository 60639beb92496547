package import Foundation
import SluiceCore

/// The `Retry-After` header (RFC 9110 §10.2.3): delta-seconds or an HTTP-date.
package enum RetryAfter {
    /// The largest wait `parse` returns (about 31,700 years): finite, and small enough for any conversion to
    /// integer milliseconds or nanoseconds.
    package static let longest: Double = 1e12

    /// Seconds to wait from `now`, or nil when `value` is neither delta-seconds nor an HTTP-date.
    /// A date in the past gives 0; a wait beyond ``longest`` gives ``longest``.
    package static func parse(_ value: String, now: Date) -> Double? {
        let text = value.trimmingWhitespace()
        guard !text.isEmpty else { return nil }
        if text.allSatisfy(\.isASCIIDigit) {
            // A server may send any number of digits; past `longest` the exact value no longer matters (every
            // caller gives up on waits that long), and a 400-digit value would not even be a finite Double.
            guard text.count <= 12, let seconds = Double(text) else { return longest }
            return min(seconds, longest)
        }
        guard let date = httpDate(text) else { return nil }
        return min(longest, max(0, date - now.timeIntervalSince1970))
    }

    /// Seconds since 1970 for an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), an obsolete RFC 850 date
    /// (`Sunday, 06-Nov-94 08:49:37 GMT`) or an asctime date (`Sun Nov  6 08:49:37 1994`).
    package static func httpDate(_ text: String) -> Double? {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        // IMF-fixdate: [Sun] [06] [Nov] [1994] [08:49:37] [GMT]
        if words.count == 6, words[5] == "GMT", let day = Int(words[1]), let month = monthNumber(words[2]),
           let year = Int(words[3]), words[3].count == 4 {
            return epoch(year: year, month: month, day: day, time: words[4])
        }
        // RFC 850: [Sunday] [06-Nov-94] [08:49:37] [GMT]
        if words.count == 4, words[3] == "GMT" {
            let parts = words[1].split(separator: "-").map(String.init)
            guard parts.count == 3, let day = Int(parts[0]), let month = monthNumber(parts[1]),
                  let twoDigit = Int(parts[2]), parts[2].count == 2 else { return nil }
            // RFC 9110: a two-digit year more than 50 years in the future means the previous century.
            let year = twoDigit < 70 ? 2000 + twoDigit : 1900 + twoDigit
            return epoch(year: year, month: month, day: day, time: words[2])
        }
        // asctime: [Sun] [Nov] [6] [08:49:37] [1994]
        if words.count == 5, let month = monthNumber(words[1]), let day = Int(words[2]), words[4].count == 4,
           let year = Int(words[4]) {
            return epoch(year: year, month: month, day: day, time: words[3])
        }
        return nil
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    private static func monthNumber(_ name: String) -> Int? {
        months.firstIndex(of: name.lowercased()).map { $0 + 1 }
    }

    private static func epoch(year: Int, month: Int, day: Int, time: String) -> Double? {
        let hms = time.split(separator: ":").compactMap { $0.count <= 2 ? Int($0) : nil }
        guard (1...9999).contains(year), (1...12).contains(month), hms.count == 3, (0...23).contains(hms[0]), (0...59).contains(hms[1]), (0...60).contains(hms[2]),
              (1...Timestamps.daysInMonth(year, month)).contains(day) else { return nil }
        let days = Timestamps.daysFromCivil(year, month, day)
        return Double(days * 86_400 + Int64(hms[0] * 3600 + hms[1] * 60 + hms[2]))
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
