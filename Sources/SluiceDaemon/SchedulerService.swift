package import Logging
import ServiceLifecycle
package import SluiceCore

import UnixSignals

/// The daemon's main loop: asks ``Scheduler`` what is due, starts those runs, and sleeps until the next fire,
/// a finished run, a reload (SIGHUP) or shutdown, whichever comes first.
///
/// Runs are child tasks of the loop's task group. On graceful shutdown the loop stops firing and cancels the
/// runs in flight: a page already being written still commits, and the runner records the run `cancelled`;
/// the service returns once every run has been recorded. The loop itself sends systemd `STATUS=` when the
/// summary changes and `WATCHDOG=1` at the watchdog interval, so a hung loop is what the watchdog catches.
///
/// Time comes from an injected clock of wall-clock instants (``UTCClock`` in the daemon, a manual clock in tests).
package struct SchedulerService<C: Clock>: Service where C.Instant == UTCClock.Instant {
    enum Event: Sendable {
        case finished(job: String, status: RunStatus?)
        /// The periodic completeness refresh ended: this many jobs have gaps.
        case refreshed(jobsWithGaps: Int)
        case reload
        case shutdown
    }

    let jobs: [JobDefinition]
    let history: [String: Scheduler.History]
    let maxConcurrent: Int
    let execute: @Sendable (JobDefinition, _ tick: UTCClock.Instant?) async -> RunStatus?
    let reloader: JobReloader?
    let loadHistory: @Sendable ([String]) async -> [String: Scheduler.History]
    let notifier: SystemdNotifier
    let logger: Logger
    let clock: C
    let jitter: @Sendable (Duration) -> Duration
    let refresh: (@Sendable ([JobDefinition]) async -> Int)?
    let refreshInterval: Duration
    let onJobsChanged: @Sendable ([JobDefinition], [JobFileError]) -> Void
    let onIdle: @Sendable () -> Void

    /// - Parameters:
    ///   - jobs: The jobs to schedule.
    ///   - history: What the warehouse knows of each job (last scheduled fire, failures since success).
    ///   - execute: Runs one fire of a job, serving the schedule's tick given, and returns how it ended (nil: it
    ///     did not start, because another process runs the job or has served that tick).
    ///   - reloader: Re-reads the job folder on SIGHUP; nil ignores SIGHUP.
    ///   - loadHistory: History of jobs a reload adds, and of a job whose fire was skipped because another
    ///     process ran it (so the next fire is planned from that run).
    ///   - clock: The wall clock it reads and waits on.
    ///   - jitter: Returns a delay in `0...max` for a job with `jitter: max`.
    ///   - refresh: Brings gaps and freshness of the jobs up to date (lag grows and gaps cross their deadline
    ///     without any run) and returns how many jobs have gaps; called every `refreshInterval`.
    ///   - onIdle: Called when the last run in flight has ended (the daemon hands free memory back then).
    package init(jobs: [JobDefinition], history: [String: Scheduler.History], maxConcurrent: Int,
                execute: @escaping @Sendable (JobDefinition, _ tick: UTCClock.Instant?) async -> RunStatus?,
                reloader: JobReloader?,
                loadHistory: @escaping @Sendable ([String]) async -> [String: Scheduler.History] = { _ in [:] },
                notifier: SystemdNotifier, logger: Logger,
                clock: C, jitter: @escaping @Sendable (Duration) -> Duration = SchedulerJitter.random,
                refresh: (@Sendable ([JobDefinition]) async -> Int)? = nil, refreshInterval: Duration = .seconds(60),
                onJobsChanged: @escaping @Sendable ([JobDefinition], [JobFileError]) -> Void = { _, _ in },
                onIdle: @escaping @Sendable () -> Void = {}) {
        self.jobs = jobs
        self.history = history
        self.maxConcurrent = maxConcurrent
        self.execute = execute
        self.reloader = reloader
        self.loadHistory = loadHistory
        self.notifier = notifier
        self.logger = logger
        self.clock = clock
        self.jitter = jitter
        self.refresh = refresh
        self.refreshInterval = refreshInterval
        self.onJobsChanged = onJobsChanged
        self.onIdle = onIdle
    }

    package func run() async throws {
        let mailbox = EventMailbox<Event>()
        await withGracefulShutdownHandler {
            // Discarding: a finished run's task is freed at once. A plain task group keeps every finished child until
            // someone asks for its result, and this loop never does: a daemon firing a job every few seconds grew by
            // about 10 MiB an hour that way.
            await withDiscardingTaskGroup { group in
                if reloader != nil {
                    group.addTask {
                        for await _ in await UnixSignalsSequence(trapping: .sighup) { mailbox.post(.reload) }
                    }
                }
                await loop(group: &group, mailbox: mailbox)
                group.cancelAll()
            }
        } onGracefulShutdown: {
            mailbox.post(.shutdown)
        }
    }

    private func loop(group: inout DiscardingTaskGroup, mailbox: EventMailbox<Event>) async {
        var scheduler = Scheduler(maxConcurrent: maxConcurrent)
        var definitions: [String: JobDefinition] = [:]
        for job in jobs { definitions[job.name] = job }
        scheduler.setJobs(jobs.map(Scheduler.Job.init), history: history, now: clock.now, jitter: jitter)
        let watchdog = notifier.watchdogInterval
        var stopping = false
        var lastStatus = ""
        var lastPing: UTCClock.Instant?
        var jobsWithGaps = 0
        var nextRefresh: UTCClock.Instant? = refresh == nil ? nil : clock.now
        while !Task.isCancelled {
            let t = clock.now
            if !stopping, let refresh, let due = nextRefresh, due <= t {
                nextRefresh = nil  // until this refresh ends
                let jobs = definitions.values.sorted { $0.name < $1.name }
                group.addTask { mailbox.post(.refreshed(jobsWithGaps: await refresh(jobs))) }
            }
            if !stopping {
                for name in scheduler.startDue(now: t) {
                    guard let job = definitions[name] else { continue }
                    let tick = scheduler.tick(of: name)
                    group.addTask {
                        let status = await execute(job, tick)
                        mailbox.post(.finished(job: name, status: status))
                    }
                }
            }
            var messages: [NotifyMessage] = []
            let status = stopping ? "stopping; \(CountText.format(scheduler.runningCount, "run")) finishing"
                : scheduler.statusLine(now: t, jobsWithGaps: jobsWithGaps)
            if status != lastStatus {
                messages.append(.status(status))
                lastStatus = status
            }
            if let watchdog, lastPing.map({ $0.duration(to: t) >= watchdog / 2 }) ?? true {
                messages.append(.watchdog)
                lastPing = t
            }
            notifier.send(messages)
            if stopping && scheduler.runningCount == 0 { break }

            var wait = stopping ? nil : scheduler.nextWake(after: t).map { t.duration(to: $0) }
            if let watchdog { wait = min(wait ?? watchdog, watchdog) }
            if !stopping, let due = nextRefresh { wait = min(wait ?? t.duration(to: due), max(.zero, t.duration(to: due))) }
            for event in await nextEvents(mailbox, waitingAtMost: wait) {
                switch event {
                case .finished(let name, let status):
                    scheduler.finished(name, status: status, now: clock.now, jitter: jitter)
                    if scheduler.runningCount == 0 { onIdle() }
                    if status == nil, let known = await loadHistory([name])[name] {
                        // Another process ran the job: plan from its run, as a standby instance must.
                        scheduler.adopt(known, for: name, now: clock.now, jitter: jitter)
                    }
                case .refreshed(let count):
                    jobsWithGaps = count
                    nextRefresh = clock.now.advanced(by: refreshInterval)
                case .reload:
                    guard !stopping, let reloader else { break }
                    let outcome = reloader.reload(previous: definitions.values.sorted { $0.name < $1.name })
                    let added = outcome.jobs.map(\.name).filter { definitions[$0] == nil }
                    let known = added.isEmpty ? [:] : await loadHistory(added)
                    definitions = [:]
                    for job in outcome.jobs { definitions[job.name] = job }
                    onJobsChanged(outcome.jobs, outcome.problems)
                    scheduler.setJobs(outcome.jobs.map(Scheduler.Job.init), history: known, now: clock.now, jitter: jitter)
                case .shutdown:
                    guard !stopping else { break }
                    stopping = true
                    logger.info("shutting down: no new runs; cancelling runs in flight",
                                metadata: ["run.inflight": "\(scheduler.runningCount)"])
                    // Cancels the runs in flight (and the SIGHUP listener); each still records its end.
                    group.cancelAll()
                }
            }
        }
    }

    /// The events that arrive before `wait` passes (nil: wait for one however long it takes); empty on timeout.
    private func nextEvents(_ mailbox: EventMailbox<Event>, waitingAtMost wait: Duration?) async -> [Event] {
        await withTaskGroup(of: Event?.self) { race in
            race.addTask { await mailbox.next() }
            if let wait {
                race.addTask {
                    try? await clock.sleep(until: clock.now.advanced(by: max(.zero, wait)), tolerance: nil)
                    return nil
                }
            }
            var events: [Event] = []
            if let first = await race.next(), let event = first { events.append(event) }
            race.cancelAll()
            for await result in race {
                if let event = result { events.append(event) }
            }
            return events
        }
    }
}

/// The default jitter draw: uniform in `0...max`, to the millisecond.
package enum SchedulerJitter {
    package static let random: @Sendable (Duration) -> Duration = { max in
        let milliseconds = max.components.seconds * 1000 + max.components.attoseconds / 1_000_000_000_000_000
        return milliseconds > 0 ? .milliseconds(Int64.random(in: 0...milliseconds)) : .zero
    }
}
