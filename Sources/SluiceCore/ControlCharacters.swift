/// Makes text from the outside world safe for a one-line log entry or a terminal.
///
/// A server controls error bodies, download ids and cursor values; a newline in one would forge a second
/// journal line, and an escape sequence would reach the operator's terminal. Text log lines and `status`
/// therefore show control characters as escapes: `\n`, `\r`, `\t`, and `\u{1B}` style for the rest (C0, DEL
/// and the C1 range), so the text stays readable and on one line.
package enum ControlCharacters {
    /// `text` with every control character written as an escape; unchanged (no copy) when there is none.
    package static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where isControl(scalar): out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}
