import AsyncAlgorithms
package import Logging
package import SluiceCore
package import SluiceSources

/// Runs one job once: pull → load → record.
///
/// The source fetches pages in a child task and hands them over a channel with no buffer, so page N+1 is
/// fetched while page N is being written (the run takes as long as the slower side, not the sum) and a slow
/// warehouse holds the source back. Every batch is one short unit of work in the warehouse; when the run fails,
/// what it wrote but never published (the parts of a download) is discarded, and the run is recorded `failed`
/// with a redacted error naming the job and the step, its kind and whether a retry can help.
package struct JobRunner: Sendable {
    let warehouse: any Warehouse
    let sources: any SourceProvider
    let locks: any JobLocks
    let redactor: Redactor
    let logger: Logger
    let metrics: RunMetrics?
    let now: @Sendable () -> Double
    /// Times `max_run_time` (tests pass one that fires when they say).
    let clock: any Clock<Duration>
    let onProgress: (@Sendable (RunProgress) -> Void)?
    /// Keeps gaps and freshness current after each run and warns about deadlines.
    let completeness: CompletenessMonitor

    package init(warehouse: any Warehouse, sources: any SourceProvider, locks: any JobLocks, redactor: Redactor = .shared,
                logger: Logger, metrics: RunMetrics? = nil,
                now: @escaping @Sendable () -> Double = { WallClock.epochNow() },
                clock: any Clock<Duration> = ContinuousClock(),
                gapWarningSeconds: Double = CompletenessMonitor.defaultWarningSeconds,
                onProgress: (@Sendable (RunProgress) -> Void)? = nil) {
        self.warehouse = warehouse
        self.sources = sources
        self.locks = locks
        self.redactor = redactor
        self.logger = logger
        self.metrics = metrics
        self.now = now
        self.clock = clock
        self.onProgress = onProgress
        self.completeness = CompletenessMonitor(warehouse: warehouse, metrics: metrics, logger: logger,
                                                warningSeconds: gapWarningSeconds)
    }

    /// Runs `job` in this process's way: take its lock (nil when another process holds it: the job is running
    /// there), mark runs of it left `running` by a dead process `abandoned`, then run it.
    ///
    /// `unlessServed`: a scheduled fire's tick (epoch seconds). With the lock held, the job's recorded runs are
    /// read first, and when a scheduled run that started at or after the tick ran to its end (another process
    /// sharing the warehouse fired first and finished before this one got the lock), nothing runs and the
    /// answer is nil, as when the lock is taken: one tick, one run.
    package func runLocked(_ job: JobDefinition, trigger: RunTrigger, backfill: DayRange? = nil,
                          gapsOnly: Bool = false, unlessServed tick: Double? = nil) async -> RunReport? {
        do {
            return try await locks.withLock(job: job.name) { () async -> RunReport? in
                await markAbandoned(job.name)
                if let tick, await servedElsewhere(job.name, tick: tick) { return nil }
                return await run(job, trigger: trigger, backfill: backfill, gapsOnly: gapsOnly)
            } ?? nil
        } catch {
            let text = redactor.redact(String(describing: error))
            logger.error("could not take the job lock: \(text)", metadata: ["job.name": "\(job.name)"])
            return RunReport(job: job.name, runID: nil, trigger: trigger, status: .failed, error: text,
                             errorKind: (error as? SluiceError)?.kind ?? .config)
        }
    }

    /// Whether a scheduled run of `job` that started at or after `tick` ran to its end (the caller holds the
    /// lock). When the runs cannot be read, the fire goes ahead: a second run of a tick is harmless (the
    /// sources are idempotent), a lost one is not.
    func servedElsewhere(_ job: String, tick: Double) async -> Bool {
        do {
            return RunHistory.served(tick: tick, try await warehouse.recentRuns(job: job, limit: 5))
        } catch {
            logger.error("could not read the job's runs before its scheduled fire: \(redactor.redact(String(describing: error)))",
                         metadata: ["job.name": "\(job)"])
            return false
        }
    }

    /// Marks runs of `job` left `running` by a process that is gone as `abandoned` (the caller holds the lock).
    func markAbandoned(_ job: String) async {
        do {
            let count = try await warehouse.markAbandonedRuns(job: job)
            if count > 0 {
                logger.warning("marked runs left running by a stopped process as abandoned",
                               metadata: ["job.name": "\(job)", "run.abandoned": "\(count)"])
            }
        } catch {
            logger.error("could not mark abandoned runs: \(redactor.redact(String(describing: error)))",
                         metadata: ["job.name": "\(job)"])
        }
    }

    /// Runs `job` and returns its report; never throws (failures are recorded and reported).
    ///
    /// A normal run first re-pulls the job's recoverable gaps (within its `repair_budget:`), then goes on with
    /// new data; `gapsOnly` (`sluice backfill --gaps`) re-pulls every recoverable gap and nothing else.
    package func run(_ job: JobDefinition, trigger: RunTrigger, backfill: DayRange? = nil, gapsOnly: Bool = false) async -> RunReport {
        let started = now()
        var logger = logger
        logger[metadataKey: "job.name"] = "\(job.name)"
        let runID: Int64
        do {
            runID = try await Self.uncancelled { [warehouse] in
                try await warehouse.beginRun(job: job.name, trigger: trigger)
            }
        } catch {
            let text = redactor.redact(String(describing: error))
            logger.error("could not record the run start", metadata: ["error": "\(text)"])
            return RunReport(job: job.name, runID: nil, trigger: trigger, status: .failed, error: text, errorKind: .warehouse)
        }
        var report = RunReport(job: job.name, runID: runID, trigger: trigger, status: .running)
        let prepared = sources.prepare(job, logger: logger)
        let tally = Tally()
        do {
            let outcome = try await Self.withDeadline(seconds: job.maxRunSeconds, on: clock) { [logger] in
                try await pullAndLoad(job, source: prepared.source, runID: runID, trigger: trigger, backfill: backfill,
                                      gapsOnly: gapsOnly, tally: tally, started: started, logger: logger)
            }
            report.status = outcome == .unchanged ? .unchanged : .succeeded
        } catch {
            await warehouse.discardUnpublished(job: job.name, runID: runID)
            let failure = Self.classify(error, job: job, cancelled: Task.isCancelled)
            report.status = failure.kind == .cancelled ? .cancelled : .failed
            report.error = redactor.redact(failure.text)
            report.errorKind = failure.kind
            report.retryable = failure.retryable
        }
        let stats = prepared.stats()
        let counted = await tally.snapshot()
        report.rowsWritten = counted.rows
        report.pages = counted.pages
        report.requests = stats.requests
        report.bytesRead = stats.bytesRead
        report.httpStats = stats
        report.seconds = now() - started
        let end = RunEnd(runID: runID, status: report.status, rowsWritten: Int64(report.rowsWritten),
                         requests: Int64(report.requests), bytesRead: Int64(report.bytesRead), error: report.error,
                         errorKind: report.status == .failed ? report.errorKind : nil)
        do {
            try await Self.uncancelled { [warehouse] in try await warehouse.finishRun(end) }
        } catch {
            logger.error("could not record the run result", metadata: ["error": "\(redactor.redact(String(describing: error)))"])
        }
        metrics?.finished(report, at: now())
        logRunSummary(report, logger: logger)
        var monitor = completeness
        monitor.logger = logger
        await monitor.afterRun(job, runID: runID, now: now())
        return report
    }

    /// Runs `body` where the caller's cancellation cannot reach it: the records of a run's start and end. A
    /// shutdown cancels runs in flight, and a PostgreSQL statement cancelled while its answer is on the way can
    /// commit on the server yet fail here, which would leave a run recorded `running` for good (or never
    /// recorded at all). Both statements are short; the run itself still stops at once.
    static func uncancelled<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await Task { try await body() }.value
    }

    private func pullAndLoad(_ job: JobDefinition, source: any Source, runID: Int64, trigger: RunTrigger,
                             backfill: DayRange?, gapsOnly: Bool, tally: Tally, started: Double,
                             logger: Logger) async throws -> PullOutcome {
        let state = try await warehouse.state(job: job.name)
        let known = try await warehouse.knownColumns()
        let coverage = try await warehouse.coverage(job: job.name)
        let budget = gapsOnly ? nil : job.repairBudget ?? JobDefinition.defaultRepairBudget
        let repairs = backfill != nil || budget == 0 ? [] : CompletenessMonitor.repairs(job, coverage: coverage, now: started)
        if !repairs.isEmpty {
            logger.info("re-pulling \(repairs.count) gap(s) first, oldest \(CompletenessMonitor.describe(repairs[0], now: EpochMillis.from(seconds: started)))",
                        metadata: ["run.gaps": "\(repairs.count)"])
        } else if gapsOnly {
            logger.info("no recoverable gaps to re-pull")
        }
        let request = PullRequest(job: job, state: state, trigger: trigger, backfill: backfill, now: started,
                                  knownColumns: known, coverage: coverage, repairs: repairs, repairBudget: budget,
                                  repairOnly: gapsOnly)
        let channel = AsyncThrowingChannel<Batch, any Error>()
        // Written batches are freed by a task of their own, not by the writer: releasing a WS1 batch's
        // 100,000 strings and arrays took 0.25 s of the writer's time per million rows, time the fetching
        // side (which waits for the writer) has to spare.
        let (spent, disposer) = AsyncStream<Batch>.makeStream()
        return try await withThrowingTaskGroup(of: PullOutcome?.self) { group in
            group.addTask {
                for await _ in spent {}
                return nil
            }
            group.addTask {
                do {
                    let outcome = try await source.pull(request) { batch in await channel.send(batch) }
                    channel.finish()
                    return outcome
                } catch {
                    channel.fail(error)
                    throw error
                }
            }
            group.addTask {
                defer { disposer.finish() }
                for try await batch in channel {
                    // The warehouse names the step ("commit page 3 of Sessions") itself.
                    let written = try await warehouse.commit(batch, job: job.name, runID: runID)
                    let progress = await tally.add(written: written, received: batch.rowCount, bytes: batch.bytes,
                                                   origin: batch.origin, job: job.name, seconds: now() - started)
                    metrics?.committed(job: job.name, rows: written)
                    onProgress?(progress)
                    logger.debug("page committed", metadata: [
                        "run.page": "\(batch.origin)", "db.rows": "\(written)", "http.bytes": "\(batch.bytes)"])
                    if let part = batch.dataset, part.isLast {
                        logger.info("loaded \(part.name): \(CountText.format(written, "row"))", metadata: ["db.rows": "\(written)"])
                    }
                    disposer.yield(batch)
                }
                return nil
            }
            var outcome: PullOutcome = .completed
            do {
                while let result = try await group.next() {
                    if let result { outcome = result }
                }
            } catch {
                group.cancelAll()
                throw error
            }
            return outcome
        }
    }

    private func logRunSummary(_ report: RunReport, logger: Logger) {
        var metadata: Logger.Metadata = [
            "run.id": "\(report.runID ?? 0)", "run.trigger": "\(report.trigger.rawValue)",
            "run.status": "\(report.status.rawValue)", "db.rows": "\(report.rowsWritten)",
            "run.pages": "\(report.pages)", "http.requests": "\(report.requests)", "http.bytes": "\(report.bytesRead)",
            "run.seconds": "\(String(format1: report.seconds))",
        ]
        if report.status == .cancelled {
            // A shutdown is not a failure: the operator asked for it.
            logger.notice("run cancelled by shutdown", metadata: metadata)
        } else if let error = report.error {
            if let kind = report.errorKind { metadata["error.kind"] = "\(kind.rawValue)" }
            metadata["error.retryable"] = "\(report.retryable)"
            logger.error("run \(report.status.rawValue): \(error)", metadata: metadata)
        } else {
            logger.info("run \(report.status.rawValue)", metadata: metadata)
        }
    }

    /// Runs `work`, cancelling it and throwing ``RunDeadlineExceeded`` when it takes longer than `seconds`.
    static func withDeadline<T: Sendable>(seconds: Double, on clock: any Clock<Duration>,
                                          _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await work() }
            group.addTask {
                try await clock.sleep(for: .seconds(clamping: seconds))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw RunDeadlineExceeded() }
            return value
        }
    }

    /// The operator's text, the kind and whether a retry can help, for an error that ended a run. The kind is
    /// the one the error was born with; only errors that are not ``SluiceError``s get one here.
    static func classify(_ error: any Error, job: JobDefinition, cancelled: Bool)
        -> (text: String, kind: SluiceError.Kind, retryable: Bool) {
        if error is RunDeadlineExceeded {
            return ("job '\(job.name)': the run took longer than max_run_time (\(DurationText.format(job.maxRunSeconds))) "
                        + "and was stopped; pages committed before stay, and the next run goes on from there "
                        + "(raise max_run_time if runs of this job are that long)", .timeout, true)
        }
        if cancelled || error is CancellationError || (error as? SluiceError)?.kind == .cancelled {
            return ("cancelled by shutdown", .cancelled, true)
        }
        if let e = error as? SluiceError { return (e.inJob(job.name).description, e.kind, e.isRetryable) }
        return ("job '\(job.name)': \(error)", .warehouse, false)
    }
}

/// A run went past its job's `max_run_time`.
struct RunDeadlineExceeded: Error {}

/// Counts what a run made visible (the report's rows written) and what it has read so far (the progress
/// display, which must move while a download's parts are still invisible); shared between the writer task
/// and the report.
actor Tally {
    private var rows = 0
    private var received = 0
    private var pages = 0
    private var bytes = 0

    func add(written: Int, received: Int, bytes: Int, origin: String, job: String, seconds: Double) -> RunProgress {
        self.rows += written
        self.received += received
        self.pages += 1
        self.bytes += bytes
        return RunProgress(job: job, pages: pages, rows: self.received, bytes: self.bytes, seconds: seconds,
                           lastOrigin: origin)
    }

    func snapshot() -> (rows: Int, pages: Int, bytes: Int) { (rows, pages, bytes) }
}
