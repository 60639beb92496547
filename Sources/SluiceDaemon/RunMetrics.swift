import Metrics
package import Prometheus
package import SluiceCore
import Synchronization

/// The daemon's metrics, kept by swift-metrics and exported by swift-prometheus on `/metrics`.
///
/// Counters move as things happen: an HTTP answer counts when it arrives and rows when their batch commits, so
/// `/metrics` shows a long run progressing; the run's own series (status, duration, last success) move when it
/// ends. Metric names are the README's (Metrics).
package final class RunMetrics: HTTPObserver {
    /// Where the series live; `/metrics` renders it.
    package let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory

    /// Buckets of `sluice_run_duration_seconds`: runs last from a second (an unchanged WS1 report) to hours (a
    /// first Power BI pull at 200 requests an hour).
    static let durationBuckets: [Duration] = [.seconds(1), .seconds(5), .seconds(15), .seconds(60), .seconds(300),
                                              .seconds(900), .seconds(3600), .seconds(4 * 3600), .seconds(12 * 3600)]

    package init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["sluice_run_duration_seconds"] = Self.durationBuckets
        self.factory = factory
    }

    /// The `tenant:` of each job that has one, for the `tenant` label.
    private let tenants = Mutex<[String: String]>([:])

    /// Labels every series of `jobs` that have a `tenant:` with it (called whenever the job files are read).
    package func setTenants(of jobs: [JobDefinition]) {
        let map = Dictionary(jobs.compactMap { job in job.tenant.map { (job.name, $0) } }, uniquingKeysWith: { a, _ in a })
        tenants.withLock { $0 = map }
    }

    /// `job`, and `tenant` when the job has one, so dashboards can sum by customer.
    func labels(_ job: String) -> [(String, String)] {
        guard let tenant = tenants.withLock({ $0[job] }) else { return [("job", job)] }
        return [("job", job), ("tenant", tenant)]
    }

    /// The Prometheus text exposition of every series.
    package func render() -> [UInt8] { registry.emitToBuffer() }

    // MARK: As things happen

    package func answered(job: String, status: Int) {
        let statusClass = (100...599).contains(status) ? "\(status / 100)xx" : "other"
        Counter(label: "sluice_http_requests_total", dimensions: labels(job) + [("class", statusClass)], factory: factory)
            .increment()
    }

    package func failed(job: String) {
        Counter(label: "sluice_http_requests_total", dimensions: labels(job) + [("class", "error")], factory: factory)
            .increment()
    }

    /// A batch of `job` committed and made `rows` rows visible.
    package func committed(job: String, rows: Int) {
        guard rows > 0 else { return }
        Counter(label: "sluice_rows_written_total", dimensions: labels(job), factory: factory).increment(by: rows)
    }

    /// A run ended (at `at`, seconds since the epoch).
    package func finished(_ report: RunReport, at: Double) {
        let job = report.job
        let kind = report.status == .failed ? report.errorKind?.rawValue ?? "" : ""
        Counter(label: "sluice_runs_total", dimensions: labels(job) + [("status", report.status.rawValue), ("error_kind", kind)],
                factory: factory).increment()
        Gauge(label: "sluice_last_run_timestamp_seconds", dimensions: labels(job), factory: factory).record(at)
        Gauge(label: "sluice_last_run_duration_seconds", dimensions: labels(job), factory: factory).record(report.seconds)
        Timer(label: "sluice_run_duration_seconds", dimensions: labels(job), factory: factory)
            .recordNanoseconds(Int64((report.seconds * 1e9).rounded()))
        if report.status == .succeeded || report.status == .unchanged {
            Gauge(label: "sluice_last_success_timestamp_seconds", dimensions: labels(job), factory: factory).record(at)
        }
    }

    /// Failed runs of `job` since its last success (0 after a success), so an alert fires for a job that has
    /// never succeeded, which an alert on the last success cannot see.
    package func setConsecutiveFailures(job: String, _ count: Int) {
        Gauge(label: "sluice_consecutive_failures", dimensions: labels(job), factory: factory).record(count)
    }

    // MARK: Completeness

    /// The job's gaps per table: total seconds of gaps the API still serves, and the soonest moment one of
    /// them becomes unrecoverable (0 when none has a deadline).
    package func completeness(_ report: CompletenessReport, now: Double) {
        let nowMillis = EpochMillis.from(seconds: now)
        for row in report.freshness {
            let gaps = report.gaps.filter { $0.table == row.table }
            let open = gaps.filter { $0.reason != .lost }.reduce(0.0) { $0 + $1.seconds }
            let deadline = gaps.filter { $0.isRecoverable(now: nowMillis) }.compactMap(\.recoverableUntil).min()
            let dimensions = labels(report.job) + [("table", row.table)]
            Gauge(label: "sluice_gap_seconds", dimensions: dimensions, factory: factory).record(open)
            Gauge(label: "sluice_gap_deadline_timestamp_seconds", dimensions: dimensions, factory: factory)
                .record(deadline.map { Double($0) / 1000 } ?? 0)
        }
    }

    /// A complete window of `job`'s `table` was flagged for its low volume.
    package func suspiciousWindow(job: String, table: String) {
        Counter(label: "sluice_suspicious_windows_total", dimensions: labels(job) + [("table", table)], factory: factory)
            .increment()
    }
}
