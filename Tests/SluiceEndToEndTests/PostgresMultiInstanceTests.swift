import Foundation
import Glibc
import SluiceEmulators
import SluiceTestSupport
import Testing
import SluicePostgresTestSupport

/// Two `sluice daemon` processes on the same job files and the same PostgreSQL warehouse share the work: a job
/// never overlaps itself (from the `sluice_runs` intervals), every run is recorded once, the tables are exact, and
/// when one daemon is killed the other carries on with its jobs. Bounded in time; no timing is asserted.
@Suite("PostgreSQL warehouse, two instances")
struct PostgresMultiInstanceTests {
    @Test func twoDaemonsShareOneJobSetAndTheSurvivorTakesOver() async throws {
        try await PostgresWarehouseTarget.with { pg in
            try await FeedFixture.with { feed in
                // Pages take a while, so runs are long enough to collide if the locks did not keep them apart.
                feed.feed.faults.setDelay(.milliseconds(150))
                for (name, table) in [("feed", "feed_rows"), ("second", "second_rows"), ("third", "third_rows")] {
                    try feed.dir.writeJob(name, DaemonEndToEndTests.job(url: feed.url, schedule: "every 1s", table: table))
                }
                let jobs = ["feed", "second", "third"]
                let a = try pg.startDaemon(jobs: feed.dir.jobs, in: feed.dir.path, environment: feed.environment)
                let b = try pg.startDaemon(jobs: feed.dir.jobs, in: feed.dir.path, environment: feed.environment)
                // Both share the work for a while: every job completes a few runs, and each daemon has run some.
                let shared = try await eventuallyAsync(within: 90) {
                    var done = !Self.loggedRunIDs(Self.log(a)).isEmpty && !Self.loggedRunIDs(Self.log(b)).isEmpty
                    for job in jobs where await pg.completed(job).count < 3 { done = false }
                    return done
                }
                let sharedRuns = await pg.runs()
                #expect(shared, "\(sharedRuns)")

                // One instance dies without warning; the other takes its jobs over.
                a.signal(SIGKILL)
                let killedA = try await a.wait(timeout: 30)
                let killedAt = Date().timeIntervalSince1970
                let tookOver = try await eventuallyAsync(within: 90) {
                    var done = true
                    for job in jobs where await pg.completed(job).filter({ $0.started > killedAt }).count < 2 { done = false }
                    return done
                }
                b.signal(SIGTERM)
                let resultB = try await b.wait(timeout: 30)
                let runs = await pg.runs()
                #expect(tookOver, "\(runs)")
                #expect(resultB.exitCode == 0, "\(resultB.combined)")

                // No job ever overlapped itself: each run ended before the next run of the job started.
                for job in jobs {
                    let mine = runs.filter { $0.job == job }.sorted { $0.started < $1.started }
                    for (earlier, later) in zip(mine, mine.dropFirst()) {
                        let end = try #require(earlier.finished, "run \(earlier.id) never ended: \(mine)")
                        #expect(end <= later.started, "runs \(earlier.id) and \(later.id) of \(job) overlap: \(mine)")
                    }
                }
                // Every run ended, once: a run cut off by the kill is `abandoned`, the rest were logged by exactly one
                // daemon under their own id.
                #expect(!runs.contains { $0.status == "running" }, "\(runs)")
                let logged = [Self.loggedRunIDs(killedA.combined), Self.loggedRunIDs(resultB.combined)]
                #expect(logged[0].isDisjoint(with: logged[1]))
                #expect(!logged[0].isEmpty && !logged[1].isEmpty, "both daemons ran jobs")
                let finished = Set(runs.filter { $0.status != "abandoned" }.map(\.id))
                let inLogs = logged[0].union(logged[1])
                // A's last lines may be lost with it; every run B logged, and every run in the logs, is recorded.
                #expect(logged[1].isSubset(of: finished) && inLogs.isSubset(of: finished))
                #expect(finished.subtracting(inLogs).count <= jobs.count, "unlogged runs beyond A's last ones: \(runs)")

                // The tables are exact: every row once.
                for table in ["feed_rows", "second_rows", "third_rows"] {
                    #expect(try await pg.reader.int("SELECT count(*) FROM \(table)") == 250)
                    #expect(try await pg.reader.int("SELECT count(DISTINCT id) FROM \(table)") == 250)
                }
                #expect(!resultB.combined.contains(feed.token))
            }
        }
    }

    /// What `process` wrote so far.
    static func log(_ process: SluiceProcess.Running) -> String {
        [process.outPath, process.errPath].compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }.joined(separator: "\n")
    }

    /// The run ids of the `run …` summary lines in a daemon's log (`run.id=N`).
    static func loggedRunIDs(_ log: String) -> Set<Int64> {
        var ids: Set<Int64> = []
        for line in log.split(separator: "\n") where line.contains("run.id=") {
            guard let range = line.range(of: "run.id=") else { continue }
            if let id = Int64(line[range.upperBound...].prefix { $0.isNumber }), id > 0 { ids.insert(id) }
        }
        return ids
    }
}
