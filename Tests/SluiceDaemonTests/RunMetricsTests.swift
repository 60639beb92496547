import SluiceCore
import Testing
@testable import SluiceDaemon

/// The Prometheus text of `/metrics`, kept by swift-metrics and rendered by swift-prometheus.
@Suite("metrics")
struct RunMetricsTests {
    func report(_ job: String, _ status: RunStatus, rows: Int, seconds: Double, kind: SluiceError.Kind? = nil) -> RunReport {
        RunReport(job: job, runID: 1, trigger: .schedule, status: status, rowsWritten: rows, seconds: seconds, errorKind: kind)
    }

    func lines(_ metrics: RunMetrics) -> Set<String> {
        Set(String(decoding: metrics.render(), as: UTF8.self).split(separator: "\n").map(String.init))
    }

    @Test func runsRowsLastSuccessDurationAndRequestsAreRenderedPerJob() {
        let metrics = RunMetrics()
        metrics.committed(job: "feed", rows: 250)
        for _ in 0..<7 { metrics.answered(job: "feed", status: 200) }
        for _ in 0..<3 { metrics.answered(job: "feed", status: 503) }
        metrics.failed(job: "feed")
        metrics.finished(report("feed", .succeeded, rows: 250, seconds: 1.5), at: 1_772_452_800)
        metrics.finished(report("feed", .failed, rows: 0, seconds: 0.25, kind: .auth), at: 1_772_456_400)
        metrics.finished(report("ws1", .unchanged, rows: 0, seconds: 2), at: 1_772_452_900)
        metrics.setConsecutiveFailures(job: "feed", 1)
        let expected = [
            #"sluice_runs_total{job="feed",status="failed",error_kind="auth"} 1"#,
            #"sluice_runs_total{job="feed",status="succeeded",error_kind=""} 1"#,
            #"sluice_runs_total{job="ws1",status="unchanged",error_kind=""} 1"#,
            #"sluice_rows_written_total{job="feed"} 250"#,
            #"sluice_last_success_timestamp_seconds{job="feed"} 1772452800.0"#,
            #"sluice_last_success_timestamp_seconds{job="ws1"} 1772452900.0"#,
            #"sluice_last_run_timestamp_seconds{job="feed"} 1772456400.0"#,
            #"sluice_last_run_duration_seconds{job="feed"} 0.25"#,
            #"sluice_consecutive_failures{job="feed"} 1.0"#,
            #"sluice_run_duration_seconds_count{job="feed"} 2"#,
            #"sluice_run_duration_seconds_bucket{job="feed",le="5.0"} 2"#,
            #"sluice_http_requests_total{job="feed",class="2xx"} 7"#,
            #"sluice_http_requests_total{job="feed",class="5xx"} 3"#,
            #"sluice_http_requests_total{job="feed",class="error"} 1"#,
        ]
        let rendered = lines(metrics)
        for line in expected { #expect(rendered.contains(line), "missing: \(line) in \(rendered.sorted())") }
    }

    @Test func labelValuesAreEscaped() {
        let metrics = RunMetrics()
        metrics.committed(job: "a\"b\\c\nd", rows: 1)
        #expect(lines(metrics).contains(#"sluice_rows_written_total{job="a\"b\\c\nd"} 1"#), "\(lines(metrics))")
    }

    @Test func metricsAddressesParseHostAndPort() {
        #expect(MetricsServer.Address(parsing: "127.0.0.1:9464") == .init(host: "127.0.0.1", port: 9464))
        #expect(MetricsServer.Address(parsing: "[::1]:9464") == .init(host: "::1", port: 9464))
        #expect(MetricsServer.Address(parsing: "9464") == nil)
        #expect(MetricsServer.Address(parsing: "host:99999") == nil)
        #expect(MetricsServer.Address(parsing: ":9464") == nil)
    }

    @Test func gapsExportTheirLengthAndNearestDeadlinePerTableAndSuspiciousWindowsCount() {
        let metrics = RunMetrics()
        let day: Int64 = 86_400_000
        let now = 1_772_452_800.0
        let nowMillis = Int64(now * 1000)
        let gaps = [
            CoverageGap(job: "pbi", table: "events", start: nowMillis - 3 * day, end: nowMillis - 2 * day, reason: .partial,
                        recoverableUntil: nowMillis + 25 * day),
            CoverageGap(job: "pbi", table: "events", start: nowMillis - 40 * day, end: nowMillis - 39 * day, reason: .lost,
                        recoverableUntil: nowMillis - 12 * day),
        ]
        let freshness = [FreshnessRow(job: "pbi", table: "events", lastSuccessAt: nil, completeThrough: nil, lagSeconds: nil,
                                      stale: false, gaps: 1, lostSeconds: 86_400),
                         FreshnessRow(job: "pbi", table: "quiet", lastSuccessAt: nil, completeThrough: nil, lagSeconds: nil,
                                      stale: false, gaps: 0, lostSeconds: 0)]
        metrics.completeness(CompletenessReport(job: "pbi", gaps: gaps, freshness: freshness, suspicious: []), now: now)
        metrics.suspiciousWindow(job: "pbi", table: "events")
        let rendered = lines(metrics)
        for line in [
            #"sluice_gap_seconds{job="pbi",table="events"} 86400.0"#,
            #"sluice_gap_deadline_timestamp_seconds{job="pbi",table="events"} \#(now + 25 * 86_400)"#,
            #"sluice_gap_seconds{job="pbi",table="quiet"} 0.0"#,
            #"sluice_gap_deadline_timestamp_seconds{job="pbi",table="quiet"} 0.0"#,
            #"sluice_suspicious_windows_total{job="pbi",table="events"} 1"#,
        ] {
            #expect(rendered.contains(line), "missing \(line) in \(rendered.sorted())")
        }
    }
}
