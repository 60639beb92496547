import Foundation
import Glibc
import SluiceTestSupport
import Testing
import SluiceEmulators

/// `sluice run` on a real pseudo-terminal (through `script`): the progress block is redrawn in place, one line
/// per running job, and a log line never shares a line with progress text.
@Suite("progress on a terminal, end to end")
struct TerminalProgressTests {
    @Test func twoJobsKeepALineEachAndLogLinesNeverShareOne() async throws {
        try await FeedFixture.with(.init(rowCount: 300), pageSize: 10) { f in
            f.feed.faults.setDelay(.milliseconds(40))
            try FileManager.default.removeItem(atPath: f.dir.jobs + "/feed.yaml")
            for job in ["alpha", "beta"] {
                try f.dir.writeJob(job, FeedJobFile.yaml(url: f.url, pageSize: 10).replacingOccurrences(
                    of: "feed_rows", with: "\(job)_rows"))
            }
            let output = try await Self.underPseudoTerminal(
                [SluiceProcess.binaryPath, "run", "--jobs", f.dir.jobs, "--warehouse", f.dir.warehouse],
                in: f.dir.path, environment: f.environment)
            #expect(output.contains("rows/s"), "no progress was drawn: \(output.suffix(1500).debugDescription)")

            var screen = TerminalScreen()
            var mostJobsOnScreen = 0
            var shared: [String] = []
            screen.onLineFeed = { lines in
                let progress = lines.filter { $0.contains("rows/s") }
                let jobs = Set(progress.compactMap { $0.split(separator: ":").first.map(String.init) })
                mostJobsOnScreen = max(mostJobsOnScreen, jobs.count)
                shared += progress.filter(Self.isLogLine)
            }
            screen.play(output)
            let final = screen.text
            #expect(mostJobsOnScreen == 2, "the two jobs never had a progress line each at the same time")
            #expect(shared.isEmpty, "log text on a progress line: \(shared)")
            #expect(!final.contains { $0.contains("rows/s") }, "progress left on the screen: \(final)")
            for job in ["alpha", "beta"] {
                #expect(final.contains { Self.isLogLine($0) && $0.contains("run succeeded") && $0.contains("job.name=\(job)") },
                        "\(final)")
                #expect(final.contains { $0.hasPrefix("\(job): succeeded, 300 rows written") }, "\(final)")
            }
        }
    }

    /// A log line as the text format writes it: time, level, message.
    static func isLogLine(_ line: String) -> Bool {
        line.range(of: #"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z (info|notice|warning|error) "#, options: .regularExpression) != nil
    }

    /// Runs `command` with a pseudo-terminal as its standard output and error (util-linux `script`); returns
    /// every byte it wrote there. Killed after 120 s.
    static func underPseudoTerminal(_ command: [String], in directory: String, environment: [String: String]) async throws
        -> String {
        // -q quiet, -f flush at once, -e the command's exit code, -c the command; the typescript file is unused.
        let result = try await ExternalProcess.run(
            "/usr/bin/script", ["-qfec", command.map { "'\($0)'" }.joined(separator: " "), "/dev/null"], in: directory,
            environment: environment.merging(["TERM": "xterm"]) { $1 }, timeout: 120)
        if result.timedOut { Issue.record("the run under a pseudo-terminal did not end within 120 s") }
        #expect(result.exitCode == 0, "exit \(result.exitCode)")
        return result.stdout
    }
}
