import Foundation
import SluiceTestSupport
import Testing

/// Under systemd (stderr is the journal, `JOURNAL_STREAM` names it) every log line starts with its syslog
/// priority instead of a time: `<3>` errors, `<4>` warnings, `<6>` information.
@Suite("journald priorities, end to end")
struct JournalPriorityTests {
    /// Runs `sluice run` with stderr standing in for the journal; returns its log lines.
    static func journalLines(_ f: FeedFixture, token: String? = nil) async throws -> [String] {
        var environment = f.environment
        if let token { environment["FEED_TOKEN"] = token }
        let process = try SluiceProcess.start(["run", "--jobs", f.dir.jobs, "--warehouse", f.dir.warehouse],
                                              in: f.dir.path, environment: environment, journalStream: true)
        let result = try await process.wait(timeout: 60)
        return result.stderr.split(separator: "\n").map(String.init)
    }

    @Test func everyLogLineCarriesItsPriorityAndNoTime() async throws {
        try await FeedFixture.with { f in
            let succeeded = try await Self.journalLines(f)
            #expect(succeeded.contains { $0.hasPrefix("<6>info run succeeded") }, "\(succeeded)")

            // A run left `running` by a dead process is marked abandoned, with a warning.
            try WarehouseReader.execute(on: f.dir.warehouse, "UPDATE sluice_runs SET status = 'running'")
            let abandoned = try await Self.journalLines(f)
            #expect(abandoned.contains { $0.hasPrefix("<4>warning marked runs left running") }, "\(abandoned)")

            let failed = try await Self.journalLines(f, token: "wrong-token")
            #expect(failed.contains { $0.hasPrefix("<3>error run failed") }, "\(failed)")

            for line in succeeded + abandoned + failed {
                #expect(line.range(of: #"^<[0-7]>"#, options: .regularExpression) != nil, "no priority: \(line)")
                #expect(line.range(of: #"^<\d>\d{4}-"#, options: .regularExpression) == nil, "a time under journald: \(line)")
            }
        }
    }
}
