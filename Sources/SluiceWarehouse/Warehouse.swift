import SluiceCore

/// The SQLite warehouse: data tables, the run ledger (`sluice_runs`), checkpoints (`sluice_state`) and the
/// column mapping (`sluice_columns`), behind the one writer connection of the process.
///
/// Units of work: a `.deferred` batch opens a transaction that stays open until the same job's next `.now`
/// batch commits it (or ``abortPending(job:)`` discards it). SQLite has one write transaction per connection,
/// so while a unit is open, writes from *other* jobs wait here (suspending, not blocking) until it ends;
/// otherwise they would join, and be committed or discarded with, a unit that is not theirs. That wait is not
/// cancellable: it ends when the owning job's runner commits the unit, aborts it, or finishes its run.
public actor Warehouse {
    private let store: WarehouseStore
    /// Writers of other jobs waiting for the open unit to end.
    private var unitWaiters: [CheckedContinuation<Void, Never>] = []

    /// Opens (creating with mode 0640 if needed) and migrates the warehouse at `path`.
    ///
    /// - Parameters:
    ///   - busyTimeoutMilliseconds: how long a statement waits for a lock held by another connection.
    ///   - now: the wall clock in seconds since the epoch; injected so tests get fixed timestamps.
    public static func open(path: String, busyTimeoutMilliseconds: Int = 5000,
                            now: @escaping @Sendable () -> Double = WallClock.epochNow) throws -> Warehouse {
        try Warehouse(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds, now: now)
    }

    /// Opens the warehouse; see ``open(path:busyTimeoutMilliseconds:now:)``.
    public init(path: String, busyTimeoutMilliseconds: Int = 5000,
                now: @escaping @Sendable () -> Double = WallClock.epochNow) throws {
        do {
            store = try WarehouseStore(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds, now: now)
        } catch {
            throw SluiceError.warehouse(error, step: "open warehouse")
        }
    }

    /// Opens an existing warehouse for reading only (`sluice status`): no migration, no write of any kind,
    /// so it can run beside the daemon, as another user, without leaving files the daemon cannot open.
    public static func openForReading(path: String, busyTimeoutMilliseconds: Int = 5000) throws -> Warehouse {
        try Warehouse(readingPath: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
    }

    private init(readingPath path: String, busyTimeoutMilliseconds: Int) throws {
        do {
            store = try WarehouseStore(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds, readOnly: true,
                                       now: WallClock.epochNow)
        } catch {
            throw SluiceError.warehouse(error, step: "open warehouse for reading")
        }
    }

    /// Writes `batch` for run `runID` of `job`; returns rows inserted or really changed.
    ///
    /// `.now`: schema changes, rows and every `batch.checkpoint` key commit in one transaction, together
    /// with any `.deferred` batches of the same job before it. `.deferred`: written inside the open unit,
    /// invisible to readers until then. Any failure rolls back the whole unit (no rows, checkpoint unchanged).
    public func commit(_ batch: Batch, job: String, runID: Int64) async throws -> Int {
        await waitForUnit(of: job)
        defer { wakeWaitersIfUnitEnded() }
        return try store.commit(batch, job: job, runID: runID)
    }

    /// Discards the open unit of `job` (its `.deferred` batches); the runner calls it when a run fails.
    public func abortPending(job: String) {
        store.abortPending(job: job)
        wakeWaitersIfUnitEnded()
    }

    /// Starts a run: inserts a `running` row into `sluice_runs` and returns its id.
    ///
    /// A unit still open for `job` belongs to an earlier run of it that never finished (a job never overlaps
    /// itself), so it is discarded.
    public func beginRun(job: String, trigger: RunTrigger) async throws -> Int64 {
        store.abortPending(job: job)
        await waitForUnit(of: nil)
        defer { wakeWaitersIfUnitEnded() }
        return try run(step: "record run start", job: job) { try $0.beginRun(job: job, trigger: trigger) }
    }

    /// Records how run `id` ended. `error` is stored as given: the caller has already redacted it.
    /// A unit the run left open is discarded: it never reached its `.now` batch.
    public func finishRun(id: Int64, status: RunStatus, rowsWritten: Int64 = 0, requests: Int64 = 0,
                          bytesRead: Int64 = 0, error: String? = nil) async throws {
        if store.pendingRunID == id { store.rollbackUnit() }
        await waitForUnit(of: nil)
        defer { wakeWaitersIfUnitEnded() }
        try run(step: "record run end") {
            try $0.finishRun(id: id, status: status, rowsWritten: rowsWritten, requests: requests,
                             bytesRead: bytesRead, error: error)
        }
        // The end of a run is the quiet moment to keep the WAL small (see Warehouse+Checkpoint.swift).
        store.checkpointAfterRun()
    }

    /// Marks runs still `running` as `abandoned`: all of them at daemon start-up (a crash cut them off), or
    /// only `job`'s when a foreground `sluice run` holds that job's lock while a daemon may run others.
    public func markAbandonedRuns(job: String? = nil) async throws -> Int {
        await waitForUnit(of: nil)
        return try run(step: "mark abandoned runs", job: job) { try $0.markAbandonedRuns(job: job) }
    }

    /// The checkpoint keys of `job`.
    public func state(job: String) throws -> [String: String] {
        try run(step: "read state", job: job) { try $0.state(job: job) }
    }

    /// Upserts state keys of `job` in their own transaction (for sources that advance without rows).
    public func setState(job: String, values: [String: String]) async throws {
        await waitForUnit(of: job)
        try run(step: "write state", job: job) { try $0.setState(job: job, values: values) }
    }

    /// The newest `limit` runs of `job`, newest first.
    public func recentRuns(job: String, limit: Int = 10) throws -> [RunRecord] {
        try run(step: "read runs", job: job) { try $0.recentRuns(job: job, limit: limit) }
    }

    /// The newest run of `job`, or its newest run with `status` (e.g. the last success).
    public func lastRun(job: String, status: RunStatus? = nil) throws -> RunRecord? {
        try run(step: "read runs", job: job) { try $0.lastRun(job: job, status: status) }
    }

    /// The newest run of every job, by job name: the summary `sluice status` prints.
    public func lastRuns() throws -> [RunRecord] {
        try run(step: "read runs") { try $0.lastRuns() }
    }

    /// Names of the jobs that have at least one run, sorted.
    public func jobsWithRuns() throws -> [String] {
        try run(step: "read runs") { try $0.jobsWithRuns() }
    }

    /// `PRAGMA integrity_check`: "ok" for a healthy file.
    public func integrityCheck() throws -> String {
        try run(step: "integrity check") { try $0.integrityCheck() }
    }

    /// Discards any open unit and closes the file; later calls fail.
    public func close() {
        store.close()
        wakeWaitersIfUnitEnded()
    }

    // MARK: Test seams

    /// Installs a hook that can throw at a ``FaultPoint`` of every commit.
    func setFaultHook(_ hook: (@Sendable (FaultPoint) throws -> Void)?) {
        store.faultHook = hook
    }

    /// The job holding the open unit, if any.
    var pendingJob: String? { store.pendingJob }

    // MARK: Private

    func run<T>(step: String, job: String? = nil, _ body: (WarehouseStore) throws -> T) throws -> T {
        do {
            return try body(store)
        } catch {
            throw SluiceError.warehouse(error, step: step, job: job)
        }
    }

    /// Suspends until no unit is open, or the open unit is `job`'s own.
    private func waitForUnit(of job: String?) async {
        while let owner = store.pendingJob, owner != job {
            await withCheckedContinuation { unitWaiters.append($0) }
        }
    }

    private func wakeWaitersIfUnitEnded() {
        guard store.pendingJob == nil, !unitWaiters.isEmpty else { return }
        let waiters = unitWaiters
        unitWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }
}
