import Foundation
import SluiceTestSupport
import Testing

/// One broken job file does not stop everything: status shows it beside the other jobs, a named valid job runs,
/// and `run` without names runs the valid jobs and exits 1.
@Suite("a broken job file, end to end")
struct BrokenJobFileTests {
    static let broken = """
    schedule: "every 1h"
    source:
      type: cursor-feed
      base_url: http://127.0.0.1:9/feed
      dataset: x
      tokn: { env: X }
    """

    @Test func statusReportsTheBrokenFileAndShowsTheOtherJobs() async throws {
        try await FeedFixture.with { f in
            try f.dir.writeJob("broken", Self.broken)
            let status = try await f.sluice(["status"])
            #expect(status.exitCode == 1, "\(status.combined)")
            #expect(status.stdout.contains("feed  [cursor-feed]"), "\(status.stdout)")
            #expect(status.stdout.contains("broken.yaml:6: unknown key 'tokn'"), "\(status.stdout)")
            let json = try await f.sluice(["status", "--json"])
            #expect(json.stdout.contains("\"broken_files\":[{\"file\":"), "\(json.stdout)")
            #expect(json.stdout.contains("\"line\":6"), "\(json.stdout)")
        }
    }

    @Test func aNamedValidJobRunsWithAWarningAboutTheBrokenFile() async throws {
        try await FeedFixture.with { f in
            try f.dir.writeJob("broken", Self.broken)
            let result = try await f.sluice(["run", "feed"])
            #expect(result.exitCode == 0, "\(result.combined)")
            #expect(result.stdout.contains("feed: succeeded, 250 rows written"))
            #expect(result.stderr.contains("warning: \(f.dir.jobs)/broken.yaml:6: unknown key 'tokn'"), "\(result.stderr)")
            let named = try await f.sluice(["run", "broken"])
            #expect(named.exitCode == 2, "\(named.combined)")
            #expect(named.stderr.contains("job 'broken' cannot run"), "\(named.stderr)")
        }
    }

    @Test func runWithoutNamesRunsTheValidJobsAndExitsOne() async throws {
        try await FeedFixture.with { f in
            try f.dir.writeJob("broken", Self.broken)
            let result = try await f.sluice(["run"])
            #expect(result.exitCode == 1, "\(result.combined)")
            #expect(result.stdout.contains("feed: succeeded, 250 rows written"), "\(result.stdout)")
            #expect(result.stderr.contains("broken.yaml:6"), "\(result.stderr)")
            #expect(result.stderr.contains("sluice exits 1 at the end"), "\(result.stderr)")
            #expect(try f.reader().int("SELECT count(*) FROM feed_rows") == 250)
        }
    }
}
