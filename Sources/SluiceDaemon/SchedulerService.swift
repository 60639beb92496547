import Logging
import ServiceLifecycle
import SluiceCore

import UnixSignals

/// The daemon's main loop: asks ``Scheduler`` what is due, starts those runs, and sleeps until the next fire,
/// a finished run, a reload (SIGHUP) or shutdown, whichever comes first.
///
/// Runs are child tasks of the loop's task group. On graceful shutdown the loop stops firing and cancels the
/// runs in flight: a page already being written still commits, and the runner records the run `cancelled`;
/// the service returns once every run has been recorded. The loop itself sends systemd `STATUS=` when the
/// summary changes and `WATCHDOG=1` at the watchdog interval, so a hung loop is what the watchdog catches.
public struct SchedulerService: Service {
    enum Event: Sendable {
        case finished(job: String, status: RunStatus?)
        case reload
        case shutdown
    }

    let jobs: [JobDefinition]
    let history: [String: Scheduler.History]
    let maxConcurrent: Int
    let execute: @Sendable (JobDefinition) async -> RunStatus?
    let reloader: JobReloader?
    let loadHistory: @Sendable ([String]) async -> [String: Scheduler.History]
    let notifier: SystemdNotifier
    let logger: Logger
    let now: @Sendable () -> Double
    let sleeper: any Sleeper
    let jitter: @Sendable (Double) -> Double

    /// - Parameters:
    ///   - jobs: The jobs to schedule.
    ///   - history: What the warehouse knows of each job (last scheduled fire, failures since success).
    ///   - execute: Runs one fire of a job and returns how it ended (nil: it did not start).
    ///   - reloader: Re-reads the job folder on SIGHUP; nil ignores SIGHUP.
    ///   - loadHistory: History of jobs a reload adds.
    ///   - now: Wall clock, seconds since the epoch; `sleeper` waits. Both injected for tests.
    ///   - jitter: Returns a delay in `0...max` for a job with `jitter: max`.
    public init(jobs: [JobDefinition], history: [String: Scheduler.History], maxConcurrent: Int,
                execute: @escaping @Sendable (JobDefinition) async -> RunStatus?, reloader: JobReloader?,
                loadHistory: @escaping @Sendable ([String]) async -> [String: Scheduler.History] = { _ in [:] },
                notifier: SystemdNotifier, logger: Logger,
                now: @escaping @Sendable () -> Double = { WallClock.epochNow() }, sleeper: any Sleeper = TaskSleeper(),
                jitter: @escaping @Sendable (Double) -> Double = { Double.random(in: 0...$0) }) {
        self.jobs = jobs
        self.history = history
        self.maxConcurrent = maxConcurrent
        self.execute = execute
        self.reloader = reloader
        self.loadHistory = loadHistory
        self.notifier = notifier
        self.logger = logger
        self.now = now
        self.sleeper = sleeper
        self.jitter = jitter
    }

    public func run() async throws {
        let mailbox = EventMailbox<Event>()
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
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

    private func loop(group: inout TaskGroup<Void>, mailbox: EventMailbox<Event>) async {
        var scheduler = Scheduler(maxConcurrent: maxConcurrent)
        var definitions: [String: JobDefinition] = [:]
        for job in jobs { definitions[job.name] = job }
        scheduler.setJobs(jobs.map(Scheduler.Job.init), history: history, now: now(), jitter: jitter)
        let watchdog = notifier.watchdogInterval.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
        var stopping = false
        var lastStatus = ""
        var lastPing = -Double.infinity
        while !Task.isCancelled {
            let t = now()
            if !stopping {
                for name in scheduler.startDue(now: t) {
                    guard let job = definitions[name] else { continue }
                    group.addTask {
                        let status = await execute(job)
                        mailbox.post(.finished(job: name, status: status))
                    }
                }
            }
            var messages: [NotifyMessage] = []
            let status = stopping ? "stopping; \(scheduler.runningCount) run(s) finishing" : scheduler.statusLine(now: t)
            if status != lastStatus {
                messages.append(.status(status))
                lastStatus = status
            }
            if let watchdog, t - lastPing >= watchdog / 2 {
                messages.append(.watchdog)
                lastPing = t
            }
            notifier.send(messages)
            if stopping && scheduler.runningCount == 0 { break }

            var wait = stopping ? nil : scheduler.nextWake(after: t).map { $0 - t }
            if let watchdog { wait = min(wait ?? watchdog, watchdog) }
            for event in await nextEvents(mailbox, waitingAtMost: wait) {
                switch event {
                case .finished(let name, let status):
                    scheduler.finished(name, status: status, now: now(), jitter: jitter)
                case .reload:
                    guard !stopping, let reloader else { break }
                    let outcome = reloader.reload(previous: definitions.values.sorted { $0.name < $1.name })
                    let added = outcome.jobs.map(\.name).filter { definitions[$0] == nil }
                    let known = added.isEmpty ? [:] : await loadHistory(added)
                    definitions = [:]
                    for job in outcome.jobs { definitions[job.name] = job }
                    scheduler.setJobs(outcome.jobs.map(Scheduler.Job.init), history: known, now: now(), jitter: jitter)
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

    /// The events that arrive before `seconds` pass (nil: wait for one however long it takes); empty on timeout.
    private func nextEvents(_ mailbox: EventMailbox<Event>, waitingAtMost seconds: Double?) async -> [Event] {
        await withTaskGroup(of: Event?.self) { race in
            race.addTask { await mailbox.next() }
            if let seconds {
                race.addTask {
                    try? await sleeper.sleep(seconds: max(0, seconds))
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
