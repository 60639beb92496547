/// A minimal terminal for tests: plays back what a program wrote to a pseudo-terminal (text, carriage returns,
/// line feeds, cursor-up and the erase sequences the progress display uses) onto a screen of lines that never
/// scrolls away, and notes what was on screen after every line feed.
struct TerminalScreen {
    private(set) var lines: [[Character]] = [[]]
    private var row = 0
    private var column = 0
    /// Called with the screen's lines after every line feed.
    var onLineFeed: ([String]) -> Void = { _ in }

    /// The screen as text lines (trailing empty lines dropped).
    var text: [String] {
        var out = lines.map { String($0) }
        while out.last?.isEmpty == true { out.removeLast() }
        return out
    }

    mutating func play(_ output: String) {
        var scalars = Array(output.unicodeScalars)[...]
        while let scalar = scalars.popFirst() {
            switch scalar {
            case "\r":
                column = 0
            case "\n":
                row += 1
                if row == lines.count { lines.append([]) }
                onLineFeed(lines.map { String($0) })
            case "\u{1B}":
                guard scalars.first == "[" else { continue }
                scalars.removeFirst()
                var parameter = ""
                while let next = scalars.first, next.properties.numericType != nil || next == ";" {
                    parameter.unicodeScalars.append(next)
                    scalars.removeFirst()
                }
                guard let command = scalars.popFirst() else { return }
                let n = Int(parameter) ?? 0
                switch command {
                case "A": row = max(0, row - max(1, n))
                case "J": eraseBelow()
                case "K": eraseLine(mode: n)
                default: break
                }
            default:
                guard scalar.value >= 0x20 else { continue }
                while lines[row].count < column { lines[row].append(" ") }
                if column < lines[row].count {
                    lines[row][column] = Character(scalar)
                } else {
                    lines[row].append(Character(scalar))
                }
                column += 1
            }
        }
    }

    /// `ESC[J`: from the cursor to the end of the screen.
    private mutating func eraseBelow() {
        lines[row] = Array(lines[row].prefix(column))
        lines.removeSubrange((row + 1)...)
        if lines.isEmpty { lines = [[]] }
    }

    /// `ESC[K` (0: to the end of the line, 1: to the cursor, 2: the whole line).
    private mutating func eraseLine(mode: Int) {
        switch mode {
        case 1: for i in 0..<min(column + 1, lines[row].count) { lines[row][i] = " " }
        case 2: lines[row] = []
        default: lines[row] = Array(lines[row].prefix(column))
        }
    }
}
