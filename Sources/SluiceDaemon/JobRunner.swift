import AsyncAlgorithms
import AsyncHTTPClient
import Logging
import SluiceCore
import SluiceHTTP
import SluiceSources
import SluiceWarehouse

/// Runs one job once: pull → load → record.
///
/// The source fetches pages in a child task and hands them over a channel with no buffer, so page N+1 is
/// fetched while page N is being written (the run takes as long as the slower side, not the sum) and a slow
/// warehouse holds the source back. Every batch commits with its checkpoint; on failure the open unit is
/// rolled back and the run is recorded `failed` with a redacted error naming the job and the step.
public struct JobRunner: Sendable {
    let warehouse: Warehouse
    let client: HTTPClient
    let secrets: SecretResolver
    let redactor: Redactor
    let logger: Logger
    let rateLimiters: RateLimiterRegistry
    let tokens: TokenCaches
    let now: @Sendable () -> Double
    let onProgress: (@Sendable (RunProgress) -> Void)?

    public init(warehouse: Warehouse, client: HTTPClient, secrets: SecretResolver, redactor: Redactor = .shared,
                logger: Logger, rateLimiters: RateLimiterRegistry = RateLimiterRegistry(),
                tokens: TokenCaches = TokenCaches(),
                now: @escaping @Sendable () -> Double = { WallClock.epochNow() },
                onProgress: (@Sendable (RunProgress) -> Void)? = nil) {
        self.warehouse = warehouse
        self.client = client
        self.secrets = secrets
        self.redactor = redactor
        self.logger = logger
        self.rateLimiters = rateLimiters
        self.tokens = tokens
        self.now = now
        self.onProgress = onProgress
    }

    /// Runs `job` and returns its report; never throws (failures are recorded and reported).
    public func run(_ job: JobDefinition, trigger: RunTrigger, backfill: DayRange? = nil) async -> RunReport {
        let started = now()
        var logger = logger
        logger[metadataKey: "job.name"] = "\(job.name)"
        let runID: Int64
        do {
            runID = try await warehouse.beginRun(job: job.name, trigger: trigger)
        } catch {
            let text = redactor.redact(String(describing: error))
            logger.error("could not record the run start", metadata: ["error": "\(text)"])
            return RunReport(job: job.name, runID: nil, trigger: trigger, status: .failed, error: text)
        }
        var report = RunReport(job: job.name, runID: runID, trigger: trigger, status: .running)
        let limiter = job.http.rateLimit.map { limit in rateLimiters.limiter(for: "job:\(job.name)", limit: limit) }
        let fetcher = HTTPFetcher(client: client, job: job.name, settings: job.http, logger: logger,
                                  redactor: redactor, rateLimiter: limiter)
        let tally = Tally()
        do {
            let outcome = try await Self.withDeadline(seconds: job.maxRunSeconds) { [logger] in
                try await pullAndLoad(job, runID: runID, trigger: trigger, backfill: backfill,
                                      fetcher: fetcher, tally: tally, started: started, logger: logger)
            }
            report.status = outcome == .unchanged ? .unchanged : .succeeded
        } catch {
            await warehouse.abortPending(job: job.name)
            if error is RunDeadlineExceeded {
                report.status = .failed
                report.error = "job '\(job.name)': the run took longer than max_run_time "
                    + "(\(DurationText.format(job.maxRunSeconds))) and was stopped; pages committed before stay, and the "
                    + "next run goes on from there (raise max_run_time if runs of this job are that long)"
            } else if Task.isCancelled || error is CancellationError {
                report.status = .cancelled
                report.error = "cancelled by shutdown"
            } else {
                report.status = .failed
                report.error = redactor.redact(Self.describe(error, job: job.name))
            }
        }
        let stats = fetcher.stats
        let counted = await tally.snapshot()
        report.rowsWritten = counted.rows
        report.pages = counted.pages
        report.requests = stats.requests
        report.bytesRead = stats.bytesRead
        report.httpStats = stats
        report.seconds = now() - started
        do {
            try await warehouse.finishRun(id: runID, status: report.status, rowsWritten: Int64(report.rowsWritten),
                                          requests: Int64(report.requests), bytesRead: Int64(report.bytesRead), error: report.error)
        } catch {
            logger.error("could not record the run result", metadata: ["error": "\(redactor.redact(String(describing: error)))"])
        }
        logRunSummary(report, logger: logger)
        return report
    }

    private func pullAndLoad(_ job: JobDefinition, runID: Int64, trigger: RunTrigger, backfill: DayRange?,
                             fetcher: HTTPFetcher, tally: Tally, started: Double, logger: Logger) async throws -> PullOutcome {
        let context = SourceContext(fetcher: fetcher, secrets: secrets, logger: logger, rateLimiters: rateLimiters,
                                    tokens: tokens)
        let source = SourceFactory.make(for: job, context: context)
        let state = try await warehouse.state(job: job.name)
        let known = try await warehouse.knownColumns()
        let request = PullRequest(job: job, state: state, trigger: trigger, backfill: backfill, now: started,
                                  knownColumns: known)
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
                var unitRows = 0
                for try await batch in channel {
                    let written: Int
                    do {
                        written = try await warehouse.commit(batch, job: job.name, runID: runID)
                    } catch {
                        throw (error as? SluiceError)?.atStep("commit \(batch.origin)") ?? error
                    }
                    let progress = await tally.add(rows: written, bytes: batch.bytes, origin: batch.origin,
                                                   job: job.name, seconds: now() - started,
                                                   committed: batch.commit == .now)
                    onProgress?(progress)
                    logger.debug("page committed", metadata: [
                        "run.page": "\(batch.origin)", "db.rows": "\(written)", "http.bytes": "\(batch.bytes)"])
                    if let unit = batch.unit {
                        unitRows += written
                        if batch.commit == .now {
                            logger.info("loaded \(unit): \(unitRows) rows", metadata: ["db.rows": "\(unitRows)"])
                            unitRows = 0
                        }
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
        let metadata: Logger.Metadata = [
            "run.id": "\(report.runID ?? 0)", "run.trigger": "\(report.trigger.rawValue)",
            "run.status": "\(report.status.rawValue)", "db.rows": "\(report.rowsWritten)",
            "run.pages": "\(report.pages)", "http.requests": "\(report.requests)", "http.bytes": "\(report.bytesRead)",
            "run.seconds": "\(String(format1: report.seconds))",
        ]
        if report.status == .cancelled {
            // A shutdown is not a failure: the operator asked for it.
            logger.notice("run cancelled by shutdown", metadata: metadata)
        } else if let error = report.error {
            logger.error("run \(report.status.rawValue): \(error)", metadata: metadata)
        } else {
            logger.info("run \(report.status.rawValue)", metadata: metadata)
        }
    }

    /// Runs `work`, cancelling it and throwing ``RunDeadlineExceeded`` when it takes longer than `seconds`.
    static func withDeadline<T: Sendable>(seconds: Double, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await work() }
            group.addTask {
                try await Task.sleep(for: .seconds(clamping: seconds))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw RunDeadlineExceeded() }
            return value
        }
    }

    /// The operator's text for an error: `SluiceError` already names job and step; anything else gets the job.
    static func describe(_ error: any Error, job: String) -> String {
        if let e = error as? SluiceError { return e.inJob(job).description }
        return "job '\(job)': \(error)"
    }
}

/// A run went past its job's `max_run_time`.
struct RunDeadlineExceeded: Error {}

/// Counts what a run committed; shared between the writer task and the report.
///
/// Rows of a unit that is not committed yet (the parts of a download) are counted as pending: they become
/// rows written when the unit commits, and a unit rolled back never counts.
actor Tally {
    private var rows = 0
    private var pending = 0
    private var pages = 0
    private var bytes = 0

    func add(rows: Int, bytes: Int, origin: String, job: String, seconds: Double, committed: Bool) -> RunProgress {
        pending += rows
        if committed {
            self.rows += pending
            pending = 0
        }
        self.pages += 1
        self.bytes += bytes
        return RunProgress(job: job, pages: pages, rows: self.rows + pending, bytes: self.bytes, seconds: seconds,
                           lastOrigin: origin)
    }

    /// What was committed: rows of an unfinished unit are left out.
    func snapshot() -> (rows: Int, pages: Int, bytes: Int) { (rows, pages, bytes) }
}
