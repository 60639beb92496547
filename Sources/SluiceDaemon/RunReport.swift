import SluiceCore

/// The outcome of one run, as recorded in `sluice_runs` and printed as the run's summary line.
public struct RunReport: Sendable {
    public var job: String
    public var runID: Int64?
    public var trigger: RunTrigger
    public var status: RunStatus
    public var rowsWritten: Int
    public var pages: Int
    public var requests: Int
    public var bytesRead: Int
    public var seconds: Double
    /// The redacted error text for failed runs.
    public var error: String?
    /// What kind of failure ended the run, and whether a retry can help.
    public var errorKind: SluiceError.Kind?
    public var retryable = false
    /// Answers by status class.
    public var httpStats = HTTPStats()

    public init(job: String, runID: Int64?, trigger: RunTrigger, status: RunStatus, rowsWritten: Int = 0, pages: Int = 0,
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
    public var summaryLine: String {
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
public struct RunProgress: Sendable {
    public var job: String
    public var pages: Int
    public var rows: Int
    public var bytes: Int
    public var seconds: Double
    public var lastOrigin: String

    /// Rows per second so far.
    public var rate: Double { seconds > 0 ? Double(rows) / seconds : 0 }
}

/// Human-readable byte counts.
public enum ByteText {
    public static func format(_ bytes: Int) -> String {
        let b = Double(bytes)
        if b >= 1_048_576 { return String(format1: b / 1_048_576) + " MB" }
        if b >= 1024 { return String(format1: b / 1024) + " KB" }
        return "\(bytes) B"
    }
}

extension String {
    /// A number with one decimal, without Foundation's locale-dependent formatting.
    public init(format1 value: Double) {
        let tenths = Int64((value * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        let a = abs(tenths)
        self = "\(sign)\(a / 10).\(a % 10)"
    }
}
