/// Counters of one fetcher, for the run ledger and the metrics endpoint.
package struct HTTPStats: Sendable, Equatable {
    /// Attempts that got an answer from a server (redirect hops and retries included).
    package var requests = 0
    /// Body bytes received.
    package var bytesRead = 0
    package var status2xx = 0
    package var status3xx = 0
    package var status4xx = 0
    package var status5xx = 0
    /// Attempts that ended without an answer: connection errors and timeouts.
    package var errors = 0
    /// Waits before a retry.
    package var retries = 0

    package init() {}

    /// Counts one answer with `status`.
    package mutating func record(status: Int) {
        requests += 1
        switch status {
        case 200..<300: status2xx += 1
        case 300..<400: status3xx += 1
        case 400..<500: status4xx += 1
        case 500..<600: status5xx += 1
        default: break
        }
    }
}

/// Told of every HTTP answer as it arrives, so a long run's progress shows in the metrics while it runs.
package protocol HTTPObserver: Sendable {
    /// An answer with `status` arrived for a request of `job`.
    func answered(job: String, status: Int)
    /// An attempt of `job` ended without an answer (connection error, timeout).
    func failed(job: String)
    /// An answer from `host` carried a `Date` header (the server's clock, as sent), received at `receivedAt`
    /// (seconds since the epoch on this machine's clock). `sluice doctor` compares the two.
    func serverDate(job: String, host: String, date: String, receivedAt: Double)
}

extension HTTPObserver {
    /// Observers that do not compare clocks ignore the `Date` header.
    package func serverDate(job: String, host: String, date: String, receivedAt: Double) {}
}
