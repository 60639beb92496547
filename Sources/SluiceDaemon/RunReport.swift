package import SluiceCore

/// The outcome of one run, as recorded in `sluice_runs` and printed as the run's summary line.
package struct RunReport: Sendable {
    package var job: String
    package var runID: Int64?
    package var trigger: RunTrigger
    package var status: RunStatus
    package var rowsWritten: Int
    package var pages: Int
    package var requests: Int
    package var bytesRead: Int
    package var seconds: Double
    /// The redacted error text for failed runs.
    package var error: String?
    /// What kind of failure ended the run, and whether a retry can help.
    package var errorKind: SluiceError.Kind?
    package var retryable = false
    /// Answers by status class.
    package var httpStats = HTTPStats()

    package init(job: String, runID: Int64?, trigger: RunTrigger, status: RunStatus, rowsWritten: Int = 0, pages: Int = 0,
                requests: Int = 0, bytesRead: Int = 0, seconds: Double = 0, error: String? = nil,
                errorKind: SluiceError.Kind? = nil) {
        self.job = job
        self.runID = runID
        self.trigger = trigger
        self.status = status
        self.rowsWritten = rowsWritten
        self.pages = pages
        self.requests = requests
        self.bytesRead = bytesRead
        self.seconds = seconds
        self.error = error
        self.errorKind = errorKind
    }

    /// One line for people: `feed: succeeded, 250 rows written, 3 pages, 4 requests, 52.1 KB in 0.4 s`.
    package var summaryLine: String {
        var line = "\(job): \(status.rawValue), \(Self.count(rowsWritten, "row")) written, \(Self.count(pages, "page")), "
            + "\(Self.count(requests, "request")), "
        line += "\(ByteText.format(bytesRead)) in \(String(format1: seconds)) s"
        if let error {
            line += "\n  error"
            if let errorKind, status == .failed { line += " (\(errorKind.rawValue)\(retryable ? ", a later run may succeed" : ""))" }
            line += ": \(ControlCharacters.escaped(error))"
        }
        return line
    }
}

extension RunReport {
    /// `1 row`, `2 rows`.
    static func count(_ n: Int, _ noun: String) -> String { CountText.format(n, noun) }
}

/// Progress of a run in flight, for the terminal display and debug logs.
package struct RunProgress: Sendable {
    package var job: String
    package var pages: Int
    package var rows: Int
    package var bytes: Int
    package var seconds: Double
    package var lastOrigin: String

    /// Rows per second so far.
    package var rate: Double { seconds > 0 ? Double(rows) / seconds : 0 }
}

/// Human-readable byte counts.
package enum ByteText {
    package static func format(_ bytes: Int) -> String {
        let b = Double(bytes)
        if b >= 1_048_576 { return String(format1: b / 1_048_576) + " MB" }
        if b >= 1024 { return String(format1: b / 1024) + " KB" }
        return "\(bytes) B"
    }
}

extension String {
    /// A number with one decimal, without Foundation's locale-dependent formatting.
    package init(format1 value: Double) {
        let tenths = Int64((value * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        let a = abs(tenths)
        self = "\(sign)\(a / 10).\(a % 10)"
    }
}
