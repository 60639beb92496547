import Foundation
import Glibc
import SluiceTestSupport
import Testing
import SluiceEmulators

/// What a newcomer reads in the first hour: typos, a taken port, a refused connection, dates, times and counts.
@Suite("first-hour messages, end to end")
struct FirstHourMessageTests {
    @Test func aMistypedCommandSuggestsTheRightOneAndExitsTwo() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let result = try await SluiceProcess.run(["runn"], in: dir.path)
        #expect(result.exitCode == 2, "\(result.combined)")
        #expect(result.stderr.contains("unknown command 'runn'; did you mean 'run'?"), "\(result.stderr)")
        let far = try await SluiceProcess.run(["frobnicate"], in: dir.path)
        #expect(far.exitCode == 2, "\(far.combined)")
        #expect(far.stderr.contains("commands: daemon, run, backfill, status, validate, doctor, demo"), "\(far.stderr)")
    }

    @Test func anEmptyCommandLineFailsLoudlyInsteadOfPrintingHelp() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let errPath = dir.path + "/stderr"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        // argv = { NULL }: a process whose arguments cannot be read (without /proc) sees none; Linux hands an
        // empty argv over as one empty argument.
        var argv: [UnsafeMutablePointer<CChar>?] = [nil]
        var pid: pid_t = 0
        let rc = SluiceProcess.binaryPath.withCString { path in
            posix_spawn(&pid, path, &actions, nil, &argv, environ)
        }
        #expect(rc == 0)
        var status: Int32 = 0
        // The command does nothing but print and exit; a hang here would be a failure of its own.
        let deadline = Date().addingTimeInterval(30)
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                Issue.record("sluice with an empty argv did not exit within 30 s")
                return
            }
            usleep(20_000)
        }
        let exited = (status & 0x7f) == 0
        #expect(exited && ((status >> 8) & 0xff) == 2, "wait status \(status)")
        let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        #expect(stderr.contains("the command line is empty"), "\(stderr)")
    }

    @Test func aTakenMetricsPortIsAUsageErrorBeforeAnythingRuns() async throws {
        try await FeedFixture.with { f in
            let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(listener) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                    bind(listener, pointer, length) == 0 && listen(listener, 1) == 0
                        && getsockname(listener, pointer, &length) == 0
                }
            }
            #expect(bound)
            let port = Int(UInt16(bigEndian: address.sin_port))
            let result = try await f.sluice(["daemon", "--metrics", "127.0.0.1:\(port)"], timeout: 60)
            #expect(result.exitCode == 2, "\(result.combined)")
            #expect(result.stderr.contains("127.0.0.1:\(port) is in use (another sluice daemon?); choose another with --metrics"),
                    "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: f.dir.warehouse), "the warehouse was opened before the check")
        }
    }

    @Test func aRefusedConnectionSaysNothingIsListening() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        // A port that was just free: bind, read the number, close.
        let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(probe, $0, length) == 0 && getsockname(probe, $0, &length) == 0 }
        }
        close(probe)
        let port = Int(UInt16(bigEndian: address.sin_port))
        try dir.writeJob("feed", FeedJobFile.yaml(url: "http://127.0.0.1:\(port)", extra: "http:\n  max_attempts: 1"))
        let result = try await SluiceProcess.run(["run", "--jobs", dir.jobs, "--warehouse", dir.warehouse], in: dir.path,
                                                 environment: ["FEED_TOKEN": "t"], timeout: 60)
        #expect(result.exitCode == 1, "\(result.combined)")
        #expect(result.combined.contains("connection refused (nothing listening at 127.0.0.1:\(port))"), "\(result.combined)")
        #expect(!result.combined.contains("connection reset"), "\(result.combined)")
    }

    @Test func aBackfillFromAFutureDaySaysSoWithoutBlamingTo() async throws {
        try await FeedFixture.with { f in
            let result = try await f.sluice(["backfill", "feed", "--from", "2999-01-01"])
            #expect(result.exitCode == 2, "\(result.combined)")
            #expect(result.stderr.contains("--from (2999-01-01) is after today"), "\(result.stderr)")
            let message = result.stderr.split(separator: "\n").first.map(String.init) ?? ""
            #expect(!message.contains("--to"), "\(result.stderr)")
        }
    }

    @Test func statusShowsUTCTimesWithZAndCountsInTheSingular() async throws {
        try await FeedFixture.with(.init(rowCount: 1)) { f in
            let run = try await f.sluice(["run"])
            #expect(run.stdout.contains("feed: succeeded, 1 row written, 1 page, "), "\(run.stdout)")
            let status = try await f.sluice(["status"])
            #expect(status.exitCode == 0, "\(status.combined)")
            let lastRun = status.stdout.split(separator: "\n").first { $0.contains("last run #") }.map(String.init) ?? ""
            #expect(lastRun.range(of: #"at \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{3})?Z, 1 row,"#,
                                  options: .regularExpression) != nil, "\(status.stdout)")
            #expect(status.stdout.range(of: #"next: \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z"#, options: .regularExpression) != nil,
                    "\(status.stdout)")
        }
    }

    @Test func statusExitsOneWhenTheLastRunFailed() async throws {
        try await FeedFixture.with { f in
            let run = try await f.sluice(["run"], environment: ["FEED_TOKEN": "wrong"])
            #expect(run.exitCode == 1, "\(run.combined)")
            let status = try await f.sluice(["status"])
            #expect(status.exitCode == 1, "\(status.combined)")
            #expect(status.stdout.contains("needs attention: the last run failed"), "\(status.stdout)")
        }
    }
}
