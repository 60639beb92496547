import SluiceCore
import Synchronization

/// The daemon's counters since start, fed by every finished run and read by the `/metrics` endpoint.
public final class DaemonMetrics: Sendable {
    /// A copy of the counters at one moment.
    public struct Snapshot: Sendable, Equatable {
        /// Runs by job, then by status (`succeeded`, `failed`, …).
        public var runs: [String: [String: Int]] = [:]
        public var rowsWritten: [String: Int] = [:]
        /// Epoch seconds of the last `succeeded` or `unchanged` run.
        public var lastSuccess: [String: Double] = [:]
        public var lastDuration: [String: Double] = [:]
        public var durationSum: [String: Double] = [:]
        public var durationCount: [String: Int] = [:]
        /// HTTP answers by job, then by class (`2xx` … `5xx`, `error` for no answer).
        public var httpRequests: [String: [String: Int]] = [:]

        public init() {}
    }

    private let state = Mutex(Snapshot())

    public init() {}

    /// Adds one finished run, which ended at `finishedAt` (epoch seconds).
    public func record(_ report: RunReport, finishedAt: Double) {
        state.withLock { s in
            let job = report.job
            s.runs[job, default: [:]][report.status.rawValue, default: 0] += 1
            s.rowsWritten[job, default: 0] += report.rowsWritten
            if report.status == .succeeded || report.status == .unchanged { s.lastSuccess[job] = finishedAt }
            s.lastDuration[job] = report.seconds
            s.durationSum[job, default: 0] += report.seconds
            s.durationCount[job, default: 0] += 1
            let http = report.httpStats
            for (label, count) in [("2xx", http.status2xx), ("3xx", http.status3xx), ("4xx", http.status4xx),
                                   ("5xx", http.status5xx), ("error", http.errors)] where count > 0 {
                s.httpRequests[job, default: [:]][label, default: 0] += count
            }
        }
    }

    /// The counters now.
    public func snapshot() -> Snapshot { state.withLock { $0 } }
}
