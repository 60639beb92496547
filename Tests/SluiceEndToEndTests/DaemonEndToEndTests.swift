import Foundation
import Glibc
import SluiceEmulators
import Testing
import SluiceTestSupport

/// `sluice daemon` with the built binary against the cursor-feed emulator: schedules, signals, systemd
/// notifications, metrics, crash recovery and publishing. Every wait is bounded.
@Suite("daemon, end to end")
struct DaemonEndToEndTests {
    static func job(url: String, schedule: String, table: String) -> String {
        FeedFixture.jobYAML(url: url)
            .replacingOccurrences(of: "every 1h", with: schedule)
            .replacingOccurrences(of: "table: feed_rows", with: "table: \(table)")
    }

    @Test func twoJobsRunOnTheirSchedulesAndSIGTERMCancelsTheRunInFlightAndExitsZero() async throws {
        try await FeedFixture.with { f in
            try f.dir.writeJob("feed", Self.job(url: f.url, schedule: "every 1s", table: "feed_rows"))
            try f.dir.writeJob("other", Self.job(url: f.url, schedule: "every 2s", table: "other_rows"))
            let share = f.dir.path + "/share"
            try FileManager.default.createDirectory(atPath: share, withIntermediateDirectories: true)
            let daemon = try DaemonUnderTest.start(f, ["--metrics", "127.0.0.1:0", "--publish", share + "/warehouse.db"])
            let done = { (s: [String]) in s.filter { $0 == "succeeded" || $0 == "unchanged" }.count }
            let ran = try await eventually(within: 60) { done(daemon.statuses("feed")) >= 3 && done(daemon.statuses("other")) >= 2 }
            #expect(ran, "\(daemon.log)")

            // Metrics and health, while it runs.
            let port = try #require(daemon.metricsPort, "\(daemon.log)")
            let health = rawHTTPGet(port: port, path: "/healthz") ?? ""
            #expect(health.hasPrefix("HTTP/1.1 200") || health.hasPrefix("HTTP/1.0 200"), "\(health)")
            let metrics = rawHTTPGet(port: port, path: "/metrics") ?? ""
            #expect(metrics.contains(#"sluice_runs_total{job="feed",status="succeeded",error_kind=""}"#), "\(metrics)")
            #expect(metrics.contains(#"sluice_rows_written_total{job="feed"} 250"#))
            #expect(metrics.contains(#"sluice_last_success_timestamp_seconds{job="other"}"#))
            #expect(metrics.contains(#"sluice_run_duration_seconds_count{job="feed"}"#))
            #expect(metrics.contains(#"sluice_http_requests_total{job="feed",class="2xx"}"#))

            // The published copy opens read-only and is intact.
            let copy = try WarehouseReader(share + "/warehouse.db")
            #expect(copy.scalar("PRAGMA integrity_check") == "ok")
            #expect(copy.int("SELECT count(*) FROM feed_rows") == 250)
            #expect(copy.scalar("PRAGMA journal_mode") == "delete")

            // Slow pages keep a run in flight; SIGTERM cancels it and the daemon exits 0.
            f.feed.faults.setDelay(.seconds(20))
            let inFlight = try await eventually(within: 20) {
                daemon.statuses("feed").last == "running" || daemon.statuses("other").last == "running"
            }
            #expect(inFlight)
            let result = try await daemon.terminate()
            #expect(result.exitCode == 0, "\(result.stderr)")
            let statuses = daemon.statuses("feed") + daemon.statuses("other")
            #expect(statuses.contains("cancelled"), "\(statuses)")
            #expect(statuses.contains("succeeded"))
            #expect(!statuses.contains("running"))
            #expect(!result.combined.contains(f.token))
            #expect(try f.reader().scalar("PRAGMA integrity_check") == "ok")
        }
    }

    @Test func readyStatusWatchdogAndStoppingArriveOnTheNotifySocket() async throws {
        try await FeedFixture.with { f in
            try f.dir.writeJob("feed", Self.job(url: f.url, schedule: "every 1h", table: "feed_rows"))
            let socket = try NotifySocket()
            let daemon = try DaemonUnderTest.start(f, environment: ["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "1000000"])
            let started = socket.collect(for: 20) { lines in
                lines.contains("READY=1") && lines.contains { $0.hasPrefix("STATUS=") }
                    && lines.filter { $0 == "WATCHDOG=1" }.count >= 2
            }
            #expect(started.contains("READY=1"), "\(started) \(daemon.log)")
            #expect(started.contains { $0.hasPrefix("STATUS=") && $0.contains("1 job, ") })
            #expect(started.filter { $0 == "WATCHDOG=1" }.count >= 2)
            daemon.running.signal(SIGTERM)
            let stopping = socket.collect(for: 20) { $0.contains("STOPPING=1") }
            #expect(stopping.contains("STOPPING=1"))
            let result = try await daemon.running.wait(timeout: 30)
            #expect(result.exitCode == 0, "\(result.stderr)")
        }
    }

    @Test func SIGHUPStartsANewJobFileAndKeepsAJobWhoseFileBroke() async throws {
        try await FeedFixture.with { f in
            try f.dir.writeJob("feed", Self.job(url: f.url, schedule: "every 1s", table: "feed_rows"))
            let daemon = try DaemonUnderTest.start(f)
            #expect(try await eventually(within: 30) { daemon.statuses("feed").contains("succeeded") }, "\(daemon.log)")

            try f.dir.writeJob("added", Self.job(url: f.url, schedule: "every 1s", table: "added_rows"))
            try f.dir.writeJob("feed", "schedule: \"every banana\"\n")
            daemon.running.signal(SIGHUP)
            #expect(try await eventually(within: 30) { daemon.statuses("added").contains("succeeded") }, "\(daemon.log)")
            // The broken file is reported and its job keeps running on the old definition.
            let before = daemon.statuses("feed").count
            #expect(try await eventually(within: 30) { daemon.statuses("feed").count >= before + 2 })
            #expect(daemon.log.contains("feed.yaml"))

            let result = try await daemon.terminate()
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(result.stderr.contains("job file problem"))
        }
    }

    @Test func aRunLeftRunningByAKilledDaemonIsMarkedAbandonedOnRestart() async throws {
        try await FeedFixture.with { f in
            try f.dir.writeJob("feed", Self.job(url: f.url, schedule: "every 1h", table: "feed_rows"))
            f.feed.faults.setDelay(.seconds(30))
            let first = try DaemonUnderTest.start(f)
            #expect(try await eventually(within: 30) { first.statuses("feed") == ["running"] }, "\(first.log)")
            first.running.signal(SIGKILL)
            _ = try await first.running.wait(timeout: 10)

            f.feed.faults.setDelay(.zero)
            let second = try DaemonUnderTest.start(f)
            let started = try await eventually(within: 30) { second.log.contains("daemon started") }
            #expect(started, "\(second.log)")
            // The new daemon fires at once: the interrupted run never counted as a scheduled fire that finished.
            let recovered = try await eventually(within: 30) {
                let s = second.statuses("feed")
                return second.log.contains("run succeeded") && s.first == "abandoned" && s.dropFirst().contains("succeeded")
            }
            #expect(recovered, "\(second.statuses("feed")) \(second.log)")
            let result = try await second.terminate()
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(try f.reader().scalar("PRAGMA integrity_check") == "ok")
        }
    }
}
