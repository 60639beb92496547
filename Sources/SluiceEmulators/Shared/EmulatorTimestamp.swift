import Foundation

/// Instants as milliseconds since 1970-01-01T00:00:00Z, with the ISO-8601 text the emulated APIs speak.
///
/// The emulators must not depend on the rest of Sluice, so they carry their own small, allocation-light
/// parser and formatter instead of borrowing SluiceCore's; both sides then check each other in tests.
enum EmulatorTimestamp {
    /// Milliseconds since the epoch of a `Date`, rounded down.
    static func millis(of date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// Milliseconds since the epoch of midnight UTC on the given civil day.
    static func millis(year: Int, month: Int, day: Int) -> Int64 {
        Int64(daysFromCivil(year, month, day)) * 86_400_000
    }

    /// `YYYY-MM-DDTHH:MM:SS[.mmm]Z`; the fraction appears only when it is non-zero.
    static func iso8601(millis: Int64) -> String {
        let (days, msOfDay) = floorDivide(millis, 86_400_000)
        let (y, m, d) = civilFromDays(Int(days))
        let secOfDay = Int(msOfDay / 1000)
        var text = pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T"
        text += pad(secOfDay / 3600, 2) + ":" + pad(secOfDay / 60 % 60, 2) + ":" + pad(secOfDay % 60, 2)
        let fraction = Int(msOfDay % 1000)
        if fraction != 0 { text += "." + pad(fraction, 3) }
        return text + "Z"
    }

    /// `YYYY-MM-DD` of the UTC day that contains the instant.
    static func day(millis: Int64) -> String {
        let (y, m, d) = civilFromDays(Int(floorDivide(millis, 86_400_000).quotient))
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
    }

    /// Parses `YYYY-MM-DD[(T| )HH:MM[:SS[.fff…]]][Z|±hh:mm|±hhmm]`; no zone means UTC. Nil for anything else.
    ///
    /// A `+` where the `T` belongs is read as a space, because a form-encoding client may have sent the
    /// space of `2024-05-01 10:00:00` as `+`.
    static func parse(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count >= 10, let y = number(b, 0, 4), b[4] == UInt8(ascii: "-"), let mo = number(b, 5, 2),
            b[7] == UInt8(ascii: "-"), let d = number(b, 8, 2), (1...12).contains(mo),
            (1...daysIn(month: mo, year: y)).contains(d)
        else { return nil }
        var millis = Int64(daysFromCivil(y, mo, d)) * 86_400_000
        if b.count == 10 { return millis }
        guard [UInt8(ascii: "T"), UInt8(ascii: " "), UInt8(ascii: "+")].contains(b[10]), b.count >= 16,
            let h = number(b, 11, 2), b[13] == UInt8(ascii: ":"), let mi = number(b, 14, 2), h < 24, mi < 60
        else { return nil }
        millis += Int64(h * 3600 + mi * 60) * 1000
        var i = 16
        if i < b.count, b[i] == UInt8(ascii: ":") {
            guard let s = number(b, i + 1, 2), s < 60 else { return nil }
            millis += Int64(s) * 1000
            i += 3
            if i < b.count, b[i] == UInt8(ascii: ".") {
                i += 1
                var digits = 0
                var fraction = 0
                while i < b.count, let digit = digitValue(b[i]) {
                    if digits < 3 { fraction = fraction * 10 + digit }
                    digits += 1
                    i += 1
                }
                guard digits > 0 else { return nil }
                while digits < 3 {
                    fraction *= 10
                    digits += 1
                }
                millis += Int64(fraction)
            }
        }
        return zoneAdjusted(millis, b, from: i)
    }

    private static func zoneAdjusted(_ millis: Int64, _ b: [UInt8], from i: Int) -> Int64? {
        if i == b.count { return millis }
        if b[i] == UInt8(ascii: "Z"), i + 1 == b.count { return millis }
        guard b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"), let h = number(b, i + 1, 2) else { return nil }
        let minutesAt = b.count == i + 6 && b[i + 3] == UInt8(ascii: ":") ? i + 4 : i + 3
        guard minutesAt + 2 == b.count, let m = number(b, minutesAt, 2), h < 24, m < 60 else { return nil }
        let offset = Int64(h * 3600 + m * 60) * 1000
        return b[i] == UInt8(ascii: "+") ? millis - offset : millis + offset
    }

    private static func number(_ b: [UInt8], _ start: Int, _ count: Int) -> Int? {
        guard start + count <= b.count else { return nil }
        var value = 0
        for index in start..<(start + count) {
            guard let digit = digitValue(b[index]) else { return nil }
            value = value * 10 + digit
        }
        return value
    }

    private static func digitValue(_ byte: UInt8) -> Int? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? Int(byte - UInt8(ascii: "0")) : nil
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (quotient: Int64, remainder: Int64) {
        let q = a >= 0 ? a / b : -((-a + b - 1) / b)
        return (q, a - q * b)
    }

    // Howard Hinnant's days-from-civil algorithms: exact for the proleptic Gregorian calendar.
    private static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
