package import Foundation
package import SluiceCore

/// Decides which jobs fire and when, without I/O and without a clock: every answer depends only on the
/// arguments, so the rules are tested with plain numbers (``SchedulerService`` sleeps and acts on the answers).
///
/// The rules:
/// - A job never overlaps itself: while it runs it is not due; its next fire is planned when it finishes.
/// - After downtime a missed run fires once, now, not once per missed tick (``Schedule/nextFire(after:timeZone:lastFire:)``).
/// - A failed run is retried on the job's schedule, never sooner, so a broken job cannot spin.
/// - At most ``maxConcurrent`` jobs run at once; a due job waits for a free slot, earliest due first.
/// - a random delay up to `jitter` is added to each planned fire, sampled once per fire and clamped to `0...jitter`.
///
/// Times are instants of the wall clock (``UTCClock``), spans are `Duration`s.
package struct Scheduler: Sendable {
    /// What the scheduler needs to know about a job.
    package struct Job: Sendable, Equatable {
        package var name: String
        package var schedule: Schedule
        package var timeZone: TimeZone
        package var jitter: Duration

        package init(name: String, schedule: Schedule, timeZone: TimeZone = TimeZones.utc, jitter: Duration = .zero) {
            self.name = name
            self.schedule = schedule
            self.timeZone = timeZone
            self.jitter = jitter
        }

        /// The scheduling part of a job definition (an unknown zone falls back to UTC; the job file validator
        /// already rejects those).
        package init(_ definition: JobDefinition) {
            self.init(name: definition.name, schedule: definition.schedule,
                      timeZone: TimeZones.named(definition.timezone) ?? TimeZones.utc,
                      jitter: .seconds(clamping: definition.jitterSeconds))
        }
    }

    /// What the warehouse remembers of a job before the daemon starts (or when a reload adds it).
    package struct History: Sendable, Equatable {
        /// When the job last fired on its schedule.
        package var lastFire: UTCClock.Instant?
        /// Failed runs since the last success.
        package var consecutiveFailures: Int

        package init(lastFire: UTCClock.Instant? = nil, consecutiveFailures: Int = 0) {
            self.lastFire = lastFire
            self.consecutiveFailures = consecutiveFailures
        }
    }

    struct Entry: Sendable {
        var job: Job
        var lastFire: UTCClock.Instant?
        /// The planned fire, jitter included; nil while running or when the schedule never matches again.
        var due: UTCClock.Instant?
        /// The schedule's tick that fire serves (``Schedule/tick(after:timeZone:lastFire:)``), kept while it runs.
        var tick: UTCClock.Instant?
        var isRunning = false
        /// Removed by a reload while running: dropped when the run ends.
        var isRetired = false
        var consecutiveFailures = 0
    }

    /// How many jobs may run at the same time (at least 1).
    package let maxConcurrent: Int
    private(set) var entries: [String: Entry] = [:]

    package init(maxConcurrent: Int) {
        self.maxConcurrent = max(1, maxConcurrent)
    }

    /// Makes `jobs` the scheduled set: new names start from `history`, changed definitions are re-planned
    /// from their last fire, and names no longer present stop being scheduled (a running one finishes first).
    package mutating func setJobs(_ jobs: [Job], history: [String: History] = [:], now: UTCClock.Instant,
                                 jitter: (Duration) -> Duration) {
        let names = Set(jobs.map(\.name))
        for (name, entry) in entries where !names.contains(name) {
            if entry.isRunning { entries[name]?.isRetired = true } else { entries[name] = nil }
        }
        for job in jobs {
            if var entry = entries[job.name] {
                entry.isRetired = false
                let changed = entry.job != job
                entry.job = job
                entries[job.name] = entry
                if changed && !entry.isRunning { plan(job.name, now: now, jitter: jitter) }
            } else {
                let known = history[job.name] ?? History()
                entries[job.name] = Entry(job: job, lastFire: known.lastFire,
                                          consecutiveFailures: known.consecutiveFailures)
                plan(job.name, now: now, jitter: jitter)
            }
        }
    }

    /// Starts every job that is due at `now`, as far as free slots allow, and returns their names in start
    /// order. They count as running (and as fired at `now`) until ``finished(_:status:now:jitter:)``.
    package mutating func startDue(now: UTCClock.Instant) -> [String] {
        let free = maxConcurrent - runningCount
        guard free > 0 else { return [] }
        let due = entries.values
            .filter { entry in !entry.isRunning && !entry.isRetired && entry.due.map { $0 <= now } == true }
            .sorted { ($0.due!, $0.job.name) < ($1.due!, $1.job.name) }
            .prefix(free)
            .map(\.job.name)
        for name in due {
            entries[name]?.isRunning = true
            entries[name]?.lastFire = now
            entries[name]?.due = nil
        }
        return due
    }

    /// Records that `name`'s run ended (`status` nil: it did not start, e.g. another process held the job)
    /// and plans its next fire from the time it started.
    package mutating func finished(_ name: String, status: RunStatus?, now: UTCClock.Instant, jitter: (Duration) -> Duration) {
        guard var entry = entries[name] else { return }
        entry.isRunning = false
        if entry.isRetired {
            entries[name] = nil
            return
        }
        switch status {
        case .failed?: entry.consecutiveFailures += 1
        case .succeeded?, .unchanged?: entry.consecutiveFailures = 0
        default: break
        }
        entries[name] = entry
        plan(name, now: now, jitter: jitter)
    }

    /// Takes over what the warehouse knows of `name` (its last fire, its failures) and plans its next fire from
    /// it: after another process ran the job, the next fire follows that run, not the skipped one.
    package mutating func adopt(_ history: History, for name: String, now: UTCClock.Instant, jitter: (Duration) -> Duration) {
        guard var entry = entries[name], !entry.isRunning else { return }
        if let fire = history.lastFire { entry.lastFire = fire }
        entry.consecutiveFailures = history.consecutiveFailures
        entries[name] = entry
        plan(name, now: now, jitter: jitter)
    }

    /// When the scheduler next has something to start, strictly after `now`; nil when nothing is planned.
    /// Due jobs waiting for a free slot are not counted: a finishing run wakes the loop for them.
    package func nextWake(after now: UTCClock.Instant) -> UTCClock.Instant? {
        entries.values.compactMap { $0.isRunning || $0.isRetired ? nil : $0.due }.filter { $0 > now }.min()
    }

    /// The planned fire of `name` (nil while it runs or when it never fires again).
    package func plannedFire(of name: String) -> UTCClock.Instant? { entries[name]?.due }

    /// The schedule's tick that `name`'s planned (or running) fire serves: a missed run's tick is the one missed,
    /// not now. Another process sharing the warehouse that started a scheduled run of the job at or after it has
    /// served it already.
    package func tick(of name: String) -> UTCClock.Instant? { entries[name]?.tick }

    /// Whether `name` is running now.
    package func isRunning(_ name: String) -> Bool { entries[name]?.isRunning ?? false }

    /// Failed runs of `name` since its last success.
    package func consecutiveFailures(of name: String) -> Int { entries[name]?.consecutiveFailures ?? 0 }

    /// How many jobs run now.
    package var runningCount: Int { entries.values.filter(\.isRunning).count }

    /// The scheduled job names (retired ones excluded), sorted.
    package var jobNames: [String] { entries.values.filter { !$0.isRetired }.map(\.job.name).sorted() }

    private mutating func plan(_ name: String, now: UTCClock.Instant, jitter: (Duration) -> Duration) {
        guard let entry = entries[name] else { return }
        let tick = entry.job.schedule.tick(after: now.date, timeZone: entry.job.timeZone, lastFire: entry.lastFire?.date)
        let base = tick.map { max($0, now.date) }
        let spread = entry.job.jitter
        let delay = spread > .zero ? min(max(jitter(spread), .zero), spread) : .zero
        entries[name]?.due = base.map { UTCClock.Instant($0) + delay }
        entries[name]?.tick = tick.map { UTCClock.Instant($0) }
    }
}
