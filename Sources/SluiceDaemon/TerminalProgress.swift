import SluiceCore
import Synchronization

/// Shows run progress: redrawn in place on a terminal, as plain lines (at most one per job every few seconds)
/// otherwise, so logs stay readable when stderr is a file or journald.
public final class TerminalProgress: Sendable {
    private let isTerminal: Bool
    private let lastPrinted = Mutex<[String: Double]>([:])
    private let interval: Double

    public init(isTerminal: Bool = StandardError.isTerminal, interval: Double = 5) {
        self.isTerminal = isTerminal
        self.interval = interval
    }

    /// Draws or prints one progress event.
    public func show(_ p: RunProgress) {
        let line = "\(p.job): \(ControlCharacters.escaped(p.lastOrigin)), \(p.pages) pages, \(p.rows) rows, \(ByteText.format(p.bytes)), "
            + "\(Int(p.rate)) rows/s"
        if isTerminal {
            StandardError.write("\r\u{1B}[K" + line)
            return
        }
        let due = lastPrinted.withLock { last -> Bool in
            if let t = last[p.job], p.seconds - t < interval { return false }
            last[p.job] = p.seconds
            return true
        }
        if due { StandardError.write("progress " + line + "\n") }
    }

    /// Clears the in-place line before the summary is printed.
    public func finish() {
        if isTerminal { StandardError.write("\r\u{1B}[K") }
    }
}
