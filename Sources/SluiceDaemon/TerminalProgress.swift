import SluiceCore
import Synchronization

/// Shows run progress: a line per running job redrawn in place on a terminal (``TerminalDisplay``), plain lines
/// (at most one per job every few seconds) otherwise, so logs stay readable when stderr is a file or journald.
package final class TerminalProgress: Sendable {
    private let display: TerminalDisplay
    private let lastPrinted = Mutex<[String: Double]>([:])
    private let interval: Double

    package init(display: TerminalDisplay = .shared, interval: Double = 5) {
        self.display = display
        self.interval = interval
    }

    /// Draws or prints one progress event.
    package func show(_ p: RunProgress) {
        let line = "\(p.job): \(ControlCharacters.escaped(p.lastOrigin)), \(CountText.format(p.pages, "page")), "
            + "\(CountText.format(p.rows, "row")), \(ByteText.format(p.bytes)), \(Int(p.rate)) rows/s"
        if display.isTerminal {
            display.setProgress(job: p.job, line)
            return
        }
        let due = lastPrinted.withLock { last -> Bool in
            if let t = last[p.job], p.seconds - t < interval { return false }
            last[p.job] = p.seconds
            return true
        }
        // Under journald every line needs its priority (information), as log lines have.
        if due { display.writeLine((RedactingLogHandler.journalStream ? "<6>" : "") + "progress " + line) }
    }

    /// Clears the progress lines before the summary is printed.
    package func finish() {
        display.clearProgress()
    }
}
