import SluiceCore
import SluiceHTTP
import Testing
@testable import SluiceDaemon

/// The Prometheus text of `/metrics`.
@Suite("metrics text")
struct MetricsTextTests {
    func report(_ job: String, _ status: RunStatus, rows: Int, seconds: Double, ok: Int = 0, serverErrors: Int = 0)
        -> RunReport {
        var r = RunReport(job: job, runID: 1, trigger: .schedule, status: status, rowsWritten: rows, seconds: seconds)
        var stats = HTTPStats()
        stats.status2xx = ok
        stats.status5xx = serverErrors
        r.httpStats = stats
        return r
    }

    @Test func runsRowsLastSuccessDurationAndRequestsAreRenderedPerJob() {
        let metrics = DaemonMetrics()
        metrics.record(report("feed", .succeeded, rows: 250, seconds: 1.5, ok: 6), finishedAt: 1_772_452_800)
        metrics.record(report("feed", .failed, rows: 0, seconds: 0.25, ok: 1, serverErrors: 3), finishedAt: 1_772_456_400)
        metrics.record(report("ws1", .unchanged, rows: 0, seconds: 2, ok: 2), finishedAt: 1_772_452_900)
        let text = MetricsText.render(metrics.snapshot())
        let expected = [
            "# TYPE sluice_runs_total counter",
            #"sluice_runs_total{job="feed",status="failed"} 1"#,
            #"sluice_runs_total{job="feed",status="succeeded"} 1"#,
            #"sluice_runs_total{job="ws1",status="unchanged"} 1"#,
            #"sluice_rows_written_total{job="feed"} 250"#,
            #"sluice_last_success_timestamp_seconds{job="feed"} 1772452800"#,
            #"sluice_last_success_timestamp_seconds{job="ws1"} 1772452900"#,
            #"sluice_last_run_duration_seconds{job="feed"} 0.25"#,
            "# TYPE sluice_run_duration_seconds summary",
            #"sluice_run_duration_seconds_sum{job="feed"} 1.75"#,
            #"sluice_run_duration_seconds_count{job="feed"} 2"#,
            #"sluice_http_requests_total{job="feed",class="2xx"} 7"#,
            #"sluice_http_requests_total{job="feed",class="5xx"} 3"#,
        ]
        let lines = Set(text.split(separator: "\n").map(String.init))
        for line in expected { #expect(lines.contains(line), "missing: \(line)") }
        #expect(text.hasSuffix("\n"))
    }

    @Test func labelValuesAreEscaped() {
        #expect(MetricsText.labels([("job", "a\"b\\c\nd")]) == #"{job="a\"b\\c\nd"}"#)
    }

    @Test func anEmptyDaemonStillServesEveryFamilyHeader() {
        let text = MetricsText.render(DaemonMetrics().snapshot())
        for family in ["sluice_runs_total", "sluice_rows_written_total", "sluice_last_success_timestamp_seconds",
                       "sluice_run_duration_seconds", "sluice_http_requests_total"] {
            #expect(text.contains("# TYPE \(family) "))
        }
    }

    @Test func metricsAddressesParseHostAndPort() {
        #expect(MetricsServer.Address(parsing: "127.0.0.1:9464") == .init(host: "127.0.0.1", port: 9464))
        #expect(MetricsServer.Address(parsing: "[::1]:9464") == .init(host: "::1", port: 9464))
        #expect(MetricsServer.Address(parsing: "9464") == nil)
        #expect(MetricsServer.Address(parsing: "host:99999") == nil)
        #expect(MetricsServer.Address(parsing: ":9464") == nil)
    }
}
