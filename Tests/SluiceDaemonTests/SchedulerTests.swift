import Foundation
import SluiceCore
import Testing
@testable import SluiceDaemon

/// Plain seconds after an instant, so the rules below read as arithmetic: `noon + 600`.
extension UTCClock.Instant {
    static func + (lhs: UTCClock.Instant, rhs: Double) -> UTCClock.Instant { lhs.advanced(by: .seconds(rhs)) }
    static func - (lhs: UTCClock.Instant, rhs: Double) -> UTCClock.Instant { lhs.advanced(by: .seconds(-rhs)) }
}

/// The scheduler's decisions, with plain instants: no clock, no sleeping.
@Suite("scheduler decisions")
struct SchedulerTests {
    /// 2026-03-02 12:00:00 UTC, a Monday.
    let noon = UTCClock.Instant(epochSeconds: 1_772_452_800)
    let noJitter: (Duration) -> Duration = { _ in .zero }

    func job(_ name: String, _ schedule: String, jitter: Double = 0) throws -> Scheduler.Job {
        Scheduler.Job(name: name, schedule: try Schedule.parse(schedule), jitter: .seconds(jitter))
    }

    @Test func anIntervalJobThatNeverRanFiresAtOnceAndACronJobWaitsForItsFirstTick() throws {
        var s = Scheduler(maxConcurrent: 4)
        s.setJobs([try job("feed", "every 1h"), try job("nightly", "0 2 * * *")], now: noon + 10, jitter: noJitter)
        #expect(s.plannedFire(of: "feed") == noon + 10)
        #expect(s.plannedFire(of: "nightly") == noon + 14 * 3600)
        #expect(s.startDue(now: noon + 10) == ["feed"])
    }

    @Test func aRunningJobIsNeverStartedAgainUntilItFinishes() throws {
        var s = Scheduler(maxConcurrent: 4)
        s.setJobs([try job("feed", "every 1s")], now: noon, jitter: noJitter)
        #expect(s.startDue(now: noon) == ["feed"])
        // Many ticks pass while it runs: still one run.
        #expect(s.startDue(now: noon + 5) == [])
        #expect(s.nextWake(after: noon + 5) == nil)
        #expect(s.isRunning("feed"))
        s.finished("feed", status: .succeeded, now: noon + 5.5, jitter: noJitter)
        // The missed ticks collapse into one run, now.
        #expect(s.plannedFire(of: "feed") == noon + 5.5)
        #expect(s.startDue(now: noon + 5.5) == ["feed"])
    }

    @Test func missedCronTicksAfterDowntimeFireOnceThenTheScheduleResumes() throws {
        var s = Scheduler(maxConcurrent: 4)
        let threeDaysAgo = noon - 3 * 86_400
        s.setJobs([try job("hourly", "0 * * * *")], history: ["hourly": .init(lastFire: threeDaysAgo)],
                  now: noon + 600, jitter: noJitter)
        #expect(s.startDue(now: noon + 600) == ["hourly"])
        s.finished("hourly", status: .succeeded, now: noon + 660, jitter: noJitter)
        #expect(s.plannedFire(of: "hourly") == noon + 3600)
        #expect(s.startDue(now: noon + 3599) == [])
        #expect(s.startDue(now: noon + 3600) == ["hourly"])
    }

    @Test func aFailingJobWaitsForItsNextTickInsteadOfRetryingAtOnce() throws {
        var s = Scheduler(maxConcurrent: 4)
        s.setJobs([try job("feed", "every 1h")], now: noon, jitter: noJitter)
        _ = s.startDue(now: noon)
        s.finished("feed", status: .failed, now: noon + 2, jitter: noJitter)
        #expect(s.plannedFire(of: "feed") == noon + 3600)
        #expect(s.startDue(now: noon + 3) == [])
        #expect(s.consecutiveFailures(of: "feed") == 1)
        _ = s.startDue(now: noon + 3600)
        s.finished("feed", status: .failed, now: noon + 3601, jitter: noJitter)
        #expect(s.consecutiveFailures(of: "feed") == 2)
        _ = s.startDue(now: noon + 7200)
        s.finished("feed", status: .succeeded, now: noon + 7201, jitter: noJitter)
        #expect(s.consecutiveFailures(of: "feed") == 0)
    }

    @Test func aCancelledOrSkippedRunNeitherCountsAsFailureNorResetsTheStreak() throws {
        var s = Scheduler(maxConcurrent: 1)
        s.setJobs([try job("feed", "every 1m")], history: ["feed": .init(lastFire: noon - 60, consecutiveFailures: 3)],
                  now: noon, jitter: noJitter)
        _ = s.startDue(now: noon)
        s.finished("feed", status: .cancelled, now: noon + 1, jitter: noJitter)
        _ = s.startDue(now: noon + 60)
        s.finished("feed", status: nil, now: noon + 61, jitter: noJitter)
        #expect(s.consecutiveFailures(of: "feed") == 3)
        #expect(s.plannedFire(of: "feed") == noon + 120)
    }

    @Test func aFireSkippedBecauseAnotherInstanceRanTheJobIsPlannedFromThatRun() throws {
        var s = Scheduler(maxConcurrent: 1)
        s.setJobs([try job("feed", "every 1h")], history: ["feed": .init(lastFire: noon - 3600)], now: noon, jitter: noJitter)
        _ = s.startDue(now: noon)
        // The lock was taken: another instance started the job at noon + 30 and recorded it.
        s.finished("feed", status: nil, now: noon + 1, jitter: noJitter)
        s.adopt(.init(lastFire: noon + 30, consecutiveFailures: 0), for: "feed", now: noon + 2, jitter: noJitter)
        #expect(s.plannedFire(of: "feed") == noon + 3630)
        #expect(s.startDue(now: noon + 3629) == [])
    }

    @Test func eachFireCarriesTheTickItServesAMissedOneIncluded() throws {
        var s = Scheduler(maxConcurrent: 4)
        // Last fired three hours ago: the missed run fires now, serving the tick two hours ago.
        s.setJobs([try job("feed", "every 1h", jitter: 30), try job("nightly", "0 2 * * *")],
                  history: ["feed": .init(lastFire: noon - 3 * 3600)], now: noon, jitter: { _ in .seconds(10) })
        #expect(s.plannedFire(of: "feed") == noon + 10)
        #expect(s.tick(of: "feed") == noon - 2 * 3600)
        #expect(s.tick(of: "nightly") == noon + 14 * 3600)
        #expect(s.startDue(now: noon + 10) == ["feed"])
        #expect(s.tick(of: "feed") == noon - 2 * 3600, "kept while the fire runs")
        s.finished("feed", status: .succeeded, now: noon + 20, jitter: { _ in .zero })
        #expect(s.tick(of: "feed") == noon + 10 + 3600)
        s.setJobs([try job("new", "every 1h")], now: noon + 30, jitter: noJitter)
        #expect(s.plannedFire(of: "new") == noon + 30)
        #expect(s.tick(of: "new") == UTCClock.Instant(.distantPast), "owed one run: any scheduled run serves it")
    }

    @Test func aTickIsServedOnlyByAScheduledRunFromItOnThatRanToItsEnd() {
        func run(_ status: RunStatus, _ started: String, _ trigger: RunTrigger = .schedule) -> RunRecord {
            RunRecord(runID: 1, job: "j", trigger: trigger, startedAt: started, finishedAt: nil,
                      status: status, rowsWritten: 0, requests: 0, bytesRead: 0, error: nil)
        }
        let tick = noon.epochSeconds  // 2026-03-02 12:00:00
        #expect(RunHistory.served(tick: tick, [run(.succeeded, "2026-03-02 12:00:00.004")]))
        #expect(RunHistory.served(tick: tick, [run(.failed, "2026-03-02 12:00:01")]))
        #expect(!RunHistory.served(tick: tick, [run(.succeeded, "2026-03-02 11:59:59.999")]))
        // Cut off (by a crash or a stop): the tick was not served, the job should still run for it.
        #expect(!RunHistory.served(tick: tick, [run(.abandoned, "2026-03-02 12:00:01"), run(.succeeded, "2026-03-02 11:00:00")]))
        #expect(!RunHistory.served(tick: tick, [run(.cancelled, "2026-03-02 12:00:01")]))
        // An operator's run is not a scheduled fire.
        #expect(!RunHistory.served(tick: tick, [run(.succeeded, "2026-03-02 12:00:01", .manual)]))
        #expect(!RunHistory.served(tick: tick, []))
        // After a skipped fire the next one follows the other process's run, live ones included.
        #expect(RunHistory.lastFire([run(.running, "2026-03-02 12:00:01"), run(.succeeded, "2026-03-02 11:00:00")])
                == tick + 1)
        #expect(RunHistory.lastCompletedFire([run(.running, "2026-03-02 12:00:01"), run(.succeeded, "2026-03-02 11:00:00")])
                == tick - 3600)
    }

    @Test(arguments: [(12.5, 12.5), (1000, 30), (-5, 0)])
    func jitterIsAddedToEachFireAndStaysWithinItsBound(sample: Double, added: Double) throws {
        var s = Scheduler(maxConcurrent: 4)
        s.setJobs([try job("feed", "0 * * * *", jitter: 30)], history: ["feed": .init(lastFire: noon)],
                  now: noon + 1, jitter: { _ in .seconds(sample) })
        #expect(s.plannedFire(of: "feed") == noon + 3600 + added)
    }

    @Test func theJitterSourceIsAskedForTheJobsBound() throws {
        var s = Scheduler(maxConcurrent: 4)
        var asked: [Duration] = []
        s.setJobs([try job("feed", "every 1h", jitter: 90)], now: noon, jitter: { asked.append($0); return .zero })
        #expect(asked == [.seconds(90)])
    }

    @Test func theConcurrencyLimitHoldsDueJobsUntilASlotFreesEarliestFirst() throws {
        var s = Scheduler(maxConcurrent: 2)
        s.setJobs([try job("c", "every 1h"), try job("a", "every 1h"), try job("b", "every 1h")],
                  history: ["c": .init(lastFire: noon - 7200), "a": .init(lastFire: noon - 3000),
                            "b": .init(lastFire: noon - 3000)],
                  now: noon, jitter: noJitter)
        // c is overdue (due now); a and b are due at noon + 600.
        #expect(s.startDue(now: noon + 600) == ["c", "a"])
        #expect(s.runningCount == 2)
        // b waits for a slot; the loop is woken by a finishing run, not by a timer.
        #expect(s.nextWake(after: noon + 600) == nil)
        s.finished("a", status: .succeeded, now: noon + 700, jitter: noJitter)
        #expect(s.startDue(now: noon + 700) == ["b"])
    }

    @Test func aReloadAddsNewJobsAndStopsRemovedOnesAfterTheirRunEnds() throws {
        var s = Scheduler(maxConcurrent: 4)
        s.setJobs([try job("old", "every 1m"), try job("kept", "every 1m")], now: noon, jitter: noJitter)
        #expect(s.startDue(now: noon) == ["kept", "old"])
        s.setJobs([try job("kept", "every 1m"), try job("new", "every 5m")], now: noon + 1, jitter: noJitter)
        #expect(s.jobNames == ["kept", "new"])
        #expect(s.startDue(now: noon + 1) == ["new"])
        s.finished("old", status: .succeeded, now: noon + 2, jitter: noJitter)
        #expect(s.plannedFire(of: "old") == nil)
        #expect(s.startDue(now: noon + 3600) == [])
        s.finished("kept", status: .succeeded, now: noon + 3601, jitter: noJitter)
        #expect(s.startDue(now: noon + 3601) == ["kept"])
    }

    @Test func aChangedScheduleIsPlannedAgainFromTheLastFire() throws {
        var s = Scheduler(maxConcurrent: 4)
        s.setJobs([try job("feed", "every 1h")], history: ["feed": .init(lastFire: noon)], now: noon + 1, jitter: noJitter)
        #expect(s.plannedFire(of: "feed") == noon + 3600)
        s.setJobs([try job("feed", "every 10m")], now: noon + 2, jitter: noJitter)
        #expect(s.plannedFire(of: "feed") == noon + 600)
    }

    @Test func aCronExpressionThatNeverMatchesIsNeverDue() throws {
        var s = Scheduler(maxConcurrent: 4)
        s.setJobs([try job("never", "0 0 30 2 *")], now: noon, jitter: noJitter)
        #expect(s.plannedFire(of: "never") == nil)
        #expect(s.nextWake(after: noon) == nil)
    }

    @Test func theStatusLineNamesRunningJobsTheNextFireAndTheFailingCount() throws {
        var s = Scheduler(maxConcurrent: 4)
        s.setJobs([try job("feed", "every 1h"), try job("nightly", "0 2 * * *"), try job("sessions", "*/5 * * * *")],
                  history: ["sessions": .init(lastFire: noon, consecutiveFailures: 2)], now: noon + 60, jitter: noJitter)
        #expect(s.statusLine(now: noon + 60) == "idle; next feed 12:01Z; 3 jobs, 1 failing")
        _ = s.startDue(now: noon + 60)
        #expect(s.statusLine(now: noon + 60) == "running feed; next sessions 12:05Z; 3 jobs, 1 failing")
        #expect(s.statusLine(now: noon + 60, jobsWithGaps: 2) == "running feed; next sessions 12:05Z; 3 jobs, 1 failing, 2 with gaps")
        #expect(Scheduler.shortTime(noon + 5, now: noon) == "12:00:05Z")
        #expect(Scheduler.shortTime(noon + 2 * 86_400, now: noon) == "2026-03-04T12:00Z")
    }

    @Test func consecutiveFailuresCountFailedRunsSinceTheLastSuccess() {
        func run(_ status: RunStatus) -> RunRecord {
            RunRecord(runID: 1, job: "j", trigger: .schedule, startedAt: "2026-01-01 00:00:00", finishedAt: nil,
                      status: status, rowsWritten: 0, requests: 0, bytesRead: 0, error: nil)
        }
        #expect(RunHistory.consecutiveFailures([run(.failed), run(.cancelled), run(.failed), run(.succeeded), run(.failed)]) == 2)
        #expect(RunHistory.consecutiveFailures([run(.unchanged), run(.failed)]) == 0)
        #expect(RunHistory.consecutiveFailures([]) == 0)
    }
}
