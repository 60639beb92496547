/// Durations as job files write them: `90s`, `15m`, `1h`, `7d`, `1h30m`, `250ms`.
package enum DurationText {
    /// The longest duration any job-file key accepts (ten years); keys set tighter bounds of their own.
    /// Every duration becomes integer milliseconds or nanoseconds somewhere (timers, deadlines, window
    /// arithmetic), and an unbounded one traps there; this keeps all of them far inside `Int64`.
    package static let maxSeconds: Double = 3650 * 86_400

    /// Seconds for a duration text, or nil when it is not one (or not finite). A bare number is seconds.
    package static func seconds(_ text: String) -> Double? {
        guard let value = parseSeconds(text), value.isFinite else { return nil }
        return value
    }

    private static func parseSeconds(_ text: String) -> Double? {
        let s = text.trimmingWhitespace().lowercased()
        guard !s.isEmpty else { return nil }
        if s.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), let plain = Double(s) { return plain }
        var total = 0.0
        var number = ""
        var unit = ""
        var sawAny = false
        func flush() -> Bool {
            guard let n = Double(number) else { return false }
            let factor: Double
            switch unit {
            case "ms": factor = 0.001
            case "s", "sec", "secs", "second", "seconds": factor = 1
            case "m", "min", "mins", "minute", "minutes": factor = 60
            case "h", "hr", "hour", "hours": factor = 3600
            case "d", "day", "days": factor = 86_400
            case "w", "week", "weeks": factor = 604_800
            default: return false
            }
            total += n * factor
            number = ""
            unit = ""
            sawAny = true
            return true
        }
        for ch in s where ch != " " {
            if ch.isNumber || ch == "." {
                if !unit.isEmpty { guard flush() else { return nil } }
                number.append(ch)
            } else if ch.isLetter {
                guard !number.isEmpty else { return nil }
                unit.append(ch)
            } else {
                return nil
            }
        }
        guard !number.isEmpty, !unit.isEmpty, flush(), sawAny else { return nil }
        return total
    }

    /// A compact text for a number of seconds (`1h`, `15m`, `90s`, `1d`); never traps, whatever the value.
    package static func format(_ seconds: Double) -> String {
        guard seconds.isFinite, abs(seconds) < 1e15 else { return seconds.isNaN ? "?" : (seconds < 0 ? "-" : "") + "forever" }
        let s = Int(seconds.rounded())
        if Double(s) != seconds { return "\(seconds)s" }
        if s != 0, s % 86_400 == 0 { return "\(s / 86_400)d" }
        if s != 0, s % 3600 == 0 { return "\(s / 3600)h" }
        if s != 0, s % 60 == 0 { return "\(s / 60)m" }
        return "\(s)s"
    }
}
