import Foundation
import Glibc
import SluiceEmulators
import SluiceTestSupport
import Testing
import SluicePostgresTestSupport

/// Two `sluice daemon` processes on the same job files and the same PostgreSQL warehouse: a job never overlaps
/// itself (from the `sluice_runs` intervals), each tick of its schedule is run once (by whichever daemon fires
/// first; the other is a hot standby for it), every run is recorded once, the tables are exact, and when the
/// daemon doing the work is killed the other carries on with its jobs. Bounded in time; no timing is asserted.
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
                // Both run side by side for a while: every job completes a few runs.
                let shared = try await eventuallyAsync(within: 90) {
                    var done = true
                    for job in jobs where await pg.completed(job).count < 3 { done = false }
                    return done
                }
                let sharedRuns = await pg.runs()
                #expect(shared, "\(sharedRuns)")

                // The daemon that ran the most dies without warning; the other takes its jobs over.
                let (active, standby) = Self.loggedRunIDs(Self.log(a)).count >= Self.loggedRunIDs(Self.log(b)).count
                    ? (a, b) : (b, a)
                active.signal(SIGKILL)
                let killed = try await active.wait(timeout: 30)
                let killedAt = Date().timeIntervalSince1970
                let tookOver = try await eventuallyAsync(within: 90) {
                    var done = true
                    for job in jobs where await pg.completed(job).filter({ $0.started > killedAt }).count < 2 { done = false }
                    return done
                }
                standby.signal(SIGTERM)
                let survivor = try await standby.wait(timeout: 30)
                let runs = await pg.runs()
                #expect(tookOver, "\(runs)")
                #expect(survivor.exitCode == 0, "\(survivor.combined)")

                // No job ever overlapped itself: each run ended before the next run of the job started.
                for job in jobs {
                    let mine = runs.filter { $0.job == job }.sorted { $0.started < $1.started }
                    for (earlier, later) in zip(mine, mine.dropFirst()) {
                        let end = try #require(earlier.finished, "run \(earlier.id) never ended: \(mine)")
                        #expect(end <= later.started, "runs \(earlier.id) and \(later.id) of \(job) overlap: \(mine)")
                    }
                }
                // One tick, one run: a daemon that gets the lock after the other has run the job for a tick does
                // not run it again, so successive runs of a job start about its interval (1 s) apart, never sooner
                // (less the moment between a fire and its recorded start).
                for job in jobs {
                    let mine = runs.filter { $0.job == job && $0.status != "abandoned" }.sorted { $0.started < $1.started }
                    for (earlier, later) in zip(mine, mine.dropFirst()) {
                        #expect(later.started - earlier.started >= 0.8,
                                "runs \(earlier.id) and \(later.id) of \(job) served one tick: \(mine)")
                    }
                }
                // Every run ended, once: a run cut off by the kill is `abandoned`, the rest were logged by exactly one
                // daemon under their own id.
                #expect(!runs.contains { $0.status == "running" }, "\(runs)\nthe survivor's log ends:\n\(survivor.combined.suffix(4000))")
                let logged = [Self.loggedRunIDs(killed.combined), Self.loggedRunIDs(survivor.combined)]
                #expect(logged[0].isDisjoint(with: logged[1]))
                #expect(!logged[0].isEmpty && !logged[1].isEmpty, "each daemon ran jobs, the standby after the kill")
                let finished = Set(runs.filter { $0.status != "abandoned" }.map(\.id))
                let inLogs = logged[0].union(logged[1])
                // The killed daemon's last lines may be lost with it; every run the survivor logged, and every run in
                // the logs, is recorded.
                #expect(logged[1].isSubset(of: finished) && inLogs.isSubset(of: finished))
                #expect(finished.subtracting(inLogs).count <= jobs.count, "unlogged runs beyond the killed daemon's last ones: \(runs)")

                // The tables are exact: every row once.
                for table in ["feed_rows", "second_rows", "third_rows"] {
                    #expect(try await pg.reader.int("SELECT count(*) FROM \(table)") == 250)
                    #expect(try await pg.reader.int("SELECT count(DISTINCT id) FROM \(table)") == 250)
                }
                #expect(!survivor.combined.contains(feed.token))
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
