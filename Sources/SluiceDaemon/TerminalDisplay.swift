#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Standard error, shared by log lines and the progress display.
///
/// On a terminal the progress of every running job is a block of lines at the bottom, one per job, redrawn in
/// place; a log line first erases the block, is written on a line of its own, and the block is drawn again
/// below it, so a log line never lands on a progress line. Elsewhere (a file, journald) there is no block: log
/// lines are written as they come.
package final class TerminalDisplay: Sendable {
    package static let shared = TerminalDisplay()

    private struct State {
        /// Progress lines by job, in the order the jobs first reported.
        var lines: [(job: String, text: String)] = []
        /// How many lines of the block are on the screen now.
        var drawn = 0
    }

    private let state = Mutex(State())
    package let isTerminal: Bool

    package init(isTerminal: Bool = isatty(2) == 1) {
        self.isTerminal = isTerminal
    }

    /// Writes one log line (without its line end).
    package func writeLine(_ line: String) {
        state.withLock { state in
            var out = erase(&state)
            out += line + "\n"
            out += draw(&state)
            StandardError.write(out)
        }
    }

    /// Shows `text` as `job`'s progress line (terminals only).
    package func setProgress(job: String, _ text: String) {
        guard isTerminal else { return }
        state.withLock { state in
            if let index = state.lines.firstIndex(where: { $0.job == job }) {
                state.lines[index].text = text
            } else {
                state.lines.append((job, text))
            }
            StandardError.write(erase(&state) + draw(&state))
        }
    }

    /// Removes every progress line from the screen (before the summary is printed).
    package func clearProgress() {
        state.withLock { state in
            let out = erase(&state)
            state.lines.removeAll()
            if !out.isEmpty { StandardError.write(out) }
        }
    }

    /// Moves up over the drawn block and clears to the end of the screen.
    private func erase(_ state: inout State) -> String {
        guard state.drawn > 0 else { return "" }
        defer { state.drawn = 0 }
        return "\u{1B}[\(state.drawn)A\r\u{1B}[J"
    }

    /// Draws the block, each line cut to the terminal's width so that none wraps (a wrapped line would throw the
    /// erase off by a line).
    private func draw(_ state: inout State) -> String {
        guard isTerminal, !state.lines.isEmpty else { return "" }
        let width = max(20, Self.columns() - 1)
        state.drawn = state.lines.count
        return state.lines.map { String($0.text.prefix(width)) + "\n" }.joined()
    }

    private static func columns() -> Int {
        var size = winsize()
        guard ioctl(2, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 100 }
        return Int(size.ws_col)
    }
}
