/// Normalises the sources' date formats to the warehouse's one UTC text form.
///
/// The SQLite3 ODBC driver parses `YYYY-MM-DD HH:MM:SS[.fff]` into SQL_TYPE_TIMESTAMP and returns NULL for text
/// it cannot parse; Power BI's folded range filters compare the text. So every instant is stored as UTC with a
/// space separator and, when the source had a fraction, exactly three fractional digits (which keeps text order
/// equal to time order).
///
/// Accepted inputs:
/// - ISO 8601 with `T` or space, optional fraction (any number of digits), and `Z`, `±hh:mm`, `±hhmm` or no zone
///   (no zone means UTC: Power BI's `2019-08-13T07:55:15`);
/// - Workspace ONE's `2019-05-04-17:40:30 UTC` (hyphen between date and time, literal ` UTC`).
package enum Timestamps {
    /// Returns the normalised UTC timestamp text, or nil when `text` is not an instant in a known format.
    package static func normalize(_ text: String) -> String? {
        var text = text
        return text.withUTF8 { normalize(bytes: $0) }
    }

    /// Returns the normalised UTC timestamp text for UTF-8 bytes (a CSV cell straight from the parser's
    /// buffer), or nil when they are not an instant in a known format.
    package static func normalize(utf8 bytes: UnsafeBufferPointer<UInt8>) -> String? {
        normalize(bytes: bytes)
    }

    /// True when `text` is already in the normalised form (`YYYY-MM-DD HH:MM:SS[.fff]`, a valid instant), so
    /// ``normalize(_:)`` would return it unchanged.
    ///
    /// Values coerced on their way into the warehouse have usually been normalised by the source already;
    /// checking is a byte scan, where normalising again parses, formats and allocates a new string.
    package static func isNormalized(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { isNormalized(bytes: $0) }
    }

    /// ``isNormalized(_:)`` for UTF-8 bytes.
    package static func isNormalized(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool { isNormalized(bytes: bytes) }

    static func isNormalized(bytes b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard b.count == 19 || (b.count == 23 && b[19] == UInt8(ascii: ".") && digits(b, 20, 3) != nil),
              let (y, mo, d) = parseDate(b), isValid(y, mo, d), b[10] == UInt8(ascii: " "),
              let h = digits(b, 11, 2), b[13] == UInt8(ascii: ":"), let mi = digits(b, 14, 2),
              b[16] == UInt8(ascii: ":"), let s = digits(b, 17, 2) else { return false }
        // A leap second (`:60`) is normalised to `:59`, so it is not in normal form.
        return h < 24 && mi < 60 && s < 60
    }

    /// Returns `YYYY-MM-DD` when `text` is exactly a calendar date in that form, else nil.
    package static func normalizeDate(_ text: String) -> String? {
        var text = text
        return text.withUTF8 { b -> String? in
            guard b.count == 10, let (y, m, d) = parseDate(b), isValid(y, m, d) else { return nil }
            return String(decoding: b, as: UTF8.self)
        }
    }

    /// True when `text` is a calendar date `YYYY-MM-DD` and nothing more.
    package static func isDate(_ text: String) -> Bool { normalizeDate(text) != nil }

    /// Formats seconds since 1970-01-01T00:00:00Z as normalised timestamp text (milliseconds when non-zero).
    package static func format(epochSeconds: Double) -> String {
        // Nearest, not down: most milliseconds have no exact Double, so `x.002` is often stored as
        // `x.00199…`, and flooring it would print `.001` and break the text → seconds → text round trip.
        // Outside years 1-9999 (or not a number at all) there is no timestamp text to give; clamp rather
        // than trap, since a server-supplied instant can be anything.
        let bounded = epochSeconds.isNaN ? 0 : min(max(epochSeconds, -62_135_596_800), 253_402_300_799.999)
        let totalMillis = Int64((bounded * 1000).rounded())
        let secs = Int64((Double(totalMillis) / 1000).rounded(.down))
        let millis = Int(totalMillis - secs * 1000)
        return format(epochSecond: secs, millis: millis == 0 ? nil : millis)
    }

    /// Formats whole seconds since the epoch, with optional milliseconds.
    package static func format(epochSecond: Int64, millis: Int? = nil) -> String {
        let days = Int64((Double(epochSecond) / 86_400).rounded(.down))
        let secOfDay = Int(epochSecond - days * 86_400)
        let (y, m, d) = civil(fromDays: days)
        if y >= 0, y <= 9999, millis.map({ $0 >= 0 && $0 <= 999 }) ?? true {
            return formatFixedWidth(y, m, d, secOfDay, millis)
        }
        var out = pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + " "
        out += pad(secOfDay / 3600, 2) + ":" + pad(secOfDay / 60 % 60, 2) + ":" + pad(secOfDay % 60, 2)
        if let millis { out += "." + pad(millis, 3) }
        return out
    }

    /// Seconds since the epoch for normalised (or any accepted) timestamp text.
    package static func epochSeconds(_ text: String) -> Double? {
        var text = text
        return text.withUTF8 { b -> Double? in
            guard let p = parse(b) else { return nil }
            return Double(p.epochSecond) + Double(p.millis ?? 0) / 1000
        }
    }

    // MARK: - Parsing

    struct Parsed {
        var epochSecond: Int64
        var millis: Int?
    }

    static func normalize(bytes b: UnsafeBufferPointer<UInt8>) -> String? {
        if isNormalized(bytes: b) { return String(decoding: b, as: UTF8.self) }
        if let text = rewriteUTC(b) { return text }
        guard let p = parse(b) else { return nil }
        return format(epochSecond: p.epochSecond, millis: p.millis)
    }

    /// The normalised text of an instant that is already UTC and needs no arithmetic, by rewriting its
    /// bytes: `YYYY-MM-DD` + `T`, `t`, `-` or space + `HH:MM:SS` + optional `.fff` + `Z`, ` UTC`, `UTC` or
    /// nothing (WS1's `2019-05-04-17:40:30 UTC`). Anything else (offsets, other fractions, leap seconds) is
    /// left to ``parse(_:)``; the result is the same either way, this way a WS1 load spends 3× less on it.
    static func rewriteUTC(_ b: UnsafeBufferPointer<UInt8>) -> String? {
        guard let length = utcRewriteLength(b) else { return nil }
        return String(unsafeUninitializedCapacity: length) { writeUTCRewrite(b, length: length, into: $0) }
    }

    /// How many leading bytes of `b` the UTC rewrite keeps (19 or 23), or nil when it does not apply; the
    /// rewrite is those bytes with a space at offset 10 (``writeUTCRewrite(_:length:into:)``).
    package static func utcRewriteLength(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        guard b.count >= 19, let (y, mo, d) = parseDate(b), isValid(y, mo, d) else { return nil }
        let sep = b[10]
        guard sep == UInt8(ascii: "T") || sep == UInt8(ascii: " ") || sep == UInt8(ascii: "-")
            || sep == UInt8(ascii: "t"),
            let h = digits(b, 11, 2), b[13] == UInt8(ascii: ":"), let mi = digits(b, 14, 2),
            b[16] == UInt8(ascii: ":"), let s = digits(b, 17, 2), h < 24, mi < 60, s < 60 else { return nil }
        var length = 19
        if b.count >= 23, b[19] == UInt8(ascii: "."), digits(b, 20, 3) != nil,
           b.count == 23 || !(b[23] >= 48 && b[23] <= 57) {
            length = 23
        }
        switch b.count - length {
        case 0: break
        case 1 where b[length] == UInt8(ascii: "Z") || b[length] == UInt8(ascii: "z"): break
        case 3 where b[length] == UInt8(ascii: "U") && b[length + 1] == UInt8(ascii: "T") && b[length + 2] == UInt8(ascii: "C"):
            break
        case 4 where b[length] == UInt8(ascii: " ") && b[length + 1] == UInt8(ascii: "U")
            && b[length + 2] == UInt8(ascii: "T") && b[length + 3] == UInt8(ascii: "C"):
            break
        default: return nil
        }
        return length
    }

    /// Writes the UTC rewrite of `b` (see ``utcRewriteLength(_:)``) into `out`; returns `length`.
    @discardableResult
    package static func writeUTCRewrite(_ b: UnsafeBufferPointer<UInt8>, length: Int, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        for i in 0..<length { out[i] = b[i] }
        out[10] = UInt8(ascii: " ")
        return length
    }

    static func parse(_ b: UnsafeBufferPointer<UInt8>) -> Parsed? {
        // Date part.
        guard b.count >= 19, let (y, mo, d) = parseDate(b), isValid(y, mo, d) else { return nil }
        let sep = b[10]
        guard sep == UInt8(ascii: "T") || sep == UInt8(ascii: " ") || sep == UInt8(ascii: "-")
            || sep == UInt8(ascii: "t") else { return nil }
        guard let h = digits(b, 11, 2), b[13] == UInt8(ascii: ":"), let mi = digits(b, 14, 2),
              b[16] == UInt8(ascii: ":"), let s = digits(b, 17, 2),
              h < 24, mi < 60, s < 61 else { return nil }
        var i = 19
        var millis: Int?
        if i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
            i += 1
            var ms = 0
            var n = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if n < 3 { ms = ms * 10 + Int(b[i] - 48) }
                n += 1
                i += 1
            }
            guard n > 0 else { return nil }
            while n < 3 { ms *= 10; n += 1 }
            millis = ms
        }
        // Zone.
        var offsetSeconds = 0
        let rest = b.count - i
        if rest == 0 {
            // No zone: UTC by the sources' contracts.
        } else if rest == 1, b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
        } else if rest == 4, b[i] == UInt8(ascii: " "), b[i + 1] == UInt8(ascii: "U"), b[i + 2] == UInt8(ascii: "T"),
                  b[i + 3] == UInt8(ascii: "C") {
        } else if rest == 3, b[i] == UInt8(ascii: "U"), b[i + 1] == UInt8(ascii: "T"), b[i + 2] == UInt8(ascii: "C") {
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
            guard let oh = digits(b, i + 1, 2) else { return nil }
            var om = 0
            if rest == 6, b[i + 3] == UInt8(ascii: ":"), let m = digits(b, i + 4, 2) { om = m }
            else if rest == 5, let m = digits(b, i + 3, 2) { om = m }
            else if rest != 3 { return nil }
            offsetSeconds = sign * (oh * 3600 + om * 60)
        } else {
            return nil
        }
        let days = daysFromCivil(y, mo, d)
        let epoch = days * 86_400 + Int64(h * 3600 + mi * 60 + min(s, 59)) - Int64(offsetSeconds)
        return Parsed(epochSecond: epoch, millis: millis)
    }

    static func parseDate(_ b: UnsafeBufferPointer<UInt8>) -> (Int, Int, Int)? {
        guard b.count >= 10, let y = digits(b, 0, 4), b[4] == UInt8(ascii: "-"), let m = digits(b, 5, 2),
              b[7] == UInt8(ascii: "-"), let d = digits(b, 8, 2) else { return nil }
        return (y, m, d)
    }

    static func digits(_ b: UnsafeBufferPointer<UInt8>, _ at: Int, _ count: Int) -> Int? {
        guard at + count <= b.count else { return nil }
        var v = 0
        for k in at..<(at + count) {
            let c = b[k]
            guard c >= 48, c <= 57 else { return nil }
            v = v * 10 + Int(c - 48)
        }
        return v
    }

    static func isValid(_ y: Int, _ m: Int, _ d: Int) -> Bool {
        guard m >= 1, m <= 12, d >= 1 else { return false }
        return d <= daysInMonth(y, m)
    }

    /// Days in month `m` of year `y` (proleptic Gregorian).
    package static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 for a civil date (Howard Hinnant's algorithm).
    package static func daysFromCivil(_ y: Int, _ m: Int, _ d: Int) -> Int64 {
        let y = Int64(m <= 2 ? y - 1 : y)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64((m + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(d) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date for days since 1970-01-01.
    package static func civil(fromDays z: Int64) -> (year: Int, month: Int, day: Int) {
        let z = z + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(m <= 2 ? y + 1 : y), Int(m), Int(d))
    }

    /// The same text as the general path, written into one buffer: this runs for every timestamp cell of a
    /// load (a million-row WS1 report has several per row), where string concatenation dominated the profile.
    private static func formatFixedWidth(_ y: Int, _ m: Int, _ d: Int, _ secOfDay: Int, _ millis: Int?) -> String {
        String(unsafeUninitializedCapacity: millis == nil ? 19 : 23) { out in
            func put(_ value: Int, _ at: Int, _ width: Int) {
                var v = value
                for k in stride(from: at + width - 1, through: at, by: -1) {
                    out[k] = UInt8(truncatingIfNeeded: 48 + v % 10)
                    v /= 10
                }
            }
            put(y, 0, 4)
            out[4] = UInt8(ascii: "-")
            put(m, 5, 2)
            out[7] = UInt8(ascii: "-")
            put(d, 8, 2)
            out[10] = UInt8(ascii: " ")
            put(secOfDay / 3600, 11, 2)
            out[13] = UInt8(ascii: ":")
            put(secOfDay / 60 % 60, 14, 2)
            out[16] = UInt8(ascii: ":")
            put(secOfDay % 60, 17, 2)
            guard let millis else { return 19 }
            out[19] = UInt8(ascii: ".")
            put(millis, 20, 3)
            return 23
        }
    }

    static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}

extension Timestamps {
    /// ISO 8601 UTC text with a `Z` (`2026-01-01T00:00:00Z`), the form APIs expect in query strings.
    package static func isoUTC(epochSecond: Int64) -> String {
        let t = format(epochSecond: epochSecond)
        return String(t.prefix(10)) + "T" + String(t.dropFirst(11)) + "Z"
    }
}
