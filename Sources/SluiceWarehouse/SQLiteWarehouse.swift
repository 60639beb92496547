package import SluiceCore

/// The SQLite warehouse: data tables, the run ledger (`sluice_runs`), checkpoints (`sluice_state`) and the
/// column mapping (`sluice_columns`), behind the one writer connection of the process.
///
/// Every method is one short unit of work: a page's rows and checkpoint in one transaction, one part of a
/// dataset in one transaction (invisible until the last part publishes the dataset), one run record. Nothing
/// is held open between two calls, so the jobs of a daemon interleave their writes freely and none waits for
/// another's download.
///
/// The actor runs on a thread of its own (``SerialThreadExecutor``): SQLite calls block, and on Swift's
/// cooperative pool (one thread per core) they would stall every job's HTTP and the scheduler.
package actor SQLiteWarehouse: Warehouse {
    private let executor = SerialThreadExecutor(name: "sluice-warehouse")
    private let store: WarehouseStore

    package nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// Opens (creating with mode 0640 if needed) and migrates the warehouse at `path`.
    ///
    /// - Parameters:
    ///   - busyTimeoutMilliseconds: how long a statement waits for a lock held by another connection.
    ///   - now: the wall clock in seconds since the epoch; injected so tests get fixed timestamps.
    package static func open(path: String, busyTimeoutMilliseconds: Int = 5000,
                            now: @escaping @Sendable () -> Double = WallClock.epochNow) throws -> SQLiteWarehouse {
        try SQLiteWarehouse(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds, now: now)
    }

    /// Opens the warehouse; see ``open(path:busyTimeoutMilliseconds:now:)``.
    package init(path: String, busyTimeoutMilliseconds: Int = 5000,
                now: @escaping @Sendable () -> Double = WallClock.epochNow) throws {
        do {
            store = try WarehouseStore(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds, now: now)
        } catch {
            throw Self.openError(error, path: path, step: "open warehouse \(path)", forWriting: true)
        }
    }

    /// Opens an existing warehouse for reading only (`sluice status`): no migration, no write of any kind,
    /// so it can run beside the daemon, as another user, without leaving files the daemon cannot open.
    package static func openForReading(path: String, busyTimeoutMilliseconds: Int = 5000) throws -> SQLiteWarehouse {
        try SQLiteWarehouse(readingPath: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
    }

    private init(readingPath path: String, busyTimeoutMilliseconds: Int) throws {
        // SQLite reads a file only at the first statement, so another kind of file would open "fine" here.
        if let problem = WarehousePath.problem(at: path, forWriting: false) {
            throw SluiceError(.config, step: "open warehouse \(path) for reading", problem)
        }
        do {
            store = try WarehouseStore(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds, readOnly: true,
                                       now: WallClock.epochNow)
        } catch {
            throw Self.openError(error, path: path, step: "open warehouse \(path) for reading", forWriting: false)
        }
    }

    /// Why the open failed, with the likely fix when the path itself is the problem (``WarehousePath``).
    private static func openError(_ error: any Error, path: String, step: String, forWriting: Bool) -> SluiceError {
        guard let problem = WarehousePath.problem(at: path, forWriting: forWriting) else {
            return SluiceError.warehouse(error, step: step)
        }
        return SluiceError(.config, step: step, problem)
    }

    // MARK: Warehouse

    /// Writes `batch` for run `runID` of `job`; returns the rows it made visible.
    ///
    /// A page: schema changes, rows and every `batch.checkpoint` key commit in one transaction. A dataset
    /// part: its rows are written in a transaction of their own but stay invisible; the last part publishes
    /// the dataset with the checkpoint. Any failure rolls back that one transaction: nothing of it is visible
    /// and the checkpoint is unchanged.
    package func commit(_ batch: Batch, job: String, runID: Int64) throws -> Int {
        try store.commit(batch, job: job, runID: runID)
    }

    /// Throws away the parts of datasets that run `runID` of `job` wrote but never published.
    package func discardUnpublished(job: String, runID: Int64) {
        store.discardUnpublished(job: job, runID: runID)
    }

    /// Starts a run: removes what an earlier, cut-off run of `job` left unpublished, then inserts a `running`
    /// row into `sluice_runs` and returns its id.
    package func beginRun(job: String, trigger: RunTrigger) throws -> Int64 {
        store.discardLeftovers(job: job)
        return try run(step: "record run start", job: job) { try $0.beginRun(job: job, trigger: trigger) }
    }

    /// Records how a run ended, after discarding whatever it wrote but never published. `error` is stored as
    /// given: the caller has already redacted it.
    package func finishRun(_ end: RunEnd) throws {
        if end.status != .succeeded, end.status != .unchanged, let job = try? store.job(ofRun: end.runID) {
            store.discardUnpublished(job: job, runID: end.runID)
        }
        try run(step: "record run end") { try $0.finishRun(end) }
        // The end of a run is the quiet moment to keep the WAL small (see WarehouseStore+Checkpoint.swift).
        store.checkpointAfterRun()
    }

    /// Records how run `id` ended (``finishRun(_:)`` spelled out).
    package func finishRun(id: Int64, status: RunStatus, rowsWritten: Int64 = 0, requests: Int64 = 0, bytesRead: Int64 = 0,
                          error: String? = nil, errorKind: SluiceError.Kind? = nil) throws {
        try finishRun(RunEnd(runID: id, status: status, rowsWritten: rowsWritten, requests: requests, bytesRead: bytesRead,
                             error: error, errorKind: errorKind))
    }

    /// Marks runs still `running` as `abandoned`: all of them at daemon start-up (a crash cut them off), or
    /// only `job`'s when a foreground `sluice run` holds that job's lock while a daemon may run others.
    package func markAbandonedRuns(job: String? = nil) throws -> Int {
        try run(step: "mark abandoned runs", job: job) { try $0.markAbandonedRuns(job: job) }
    }

    /// The checkpoint keys of `job`.
    package func state(job: String) throws -> [String: String] {
        try run(step: "read state", job: job) { try $0.state(job: job) }
    }

    /// Upserts state keys of `job` in their own transaction (for sources that advance without rows).
    package func setState(job: String, values: [String: String]) throws {
        try run(step: "write state", job: job) { try $0.setState(job: job, values: values) }
    }

    /// The newest `limit` runs of `job`, newest first.
    package func recentRuns(job: String, limit: Int = 10) throws -> [RunRecord] {
        try run(step: "read runs", job: job) { try $0.recentRuns(job: job, limit: limit) }
    }

    /// The newest run of `job`, or its newest run with `status` (e.g. the last success).
    package func lastRun(job: String, status: RunStatus? = nil) throws -> RunRecord? {
        try run(step: "read runs", job: job) { try $0.lastRun(job: job, status: status) }
    }

    /// The newest run of every job, by job name: the summary `sluice status` prints.
    package func lastRuns() throws -> [RunRecord] {
        try run(step: "read runs") { try $0.lastRuns() }
    }

    /// Names of the jobs that have at least one run, sorted.
    package func jobsWithRuns() throws -> [String] {
        try run(step: "read runs") { try $0.jobsWithRuns() }
    }

    /// `PRAGMA integrity_check`: "ok" for a healthy file.
    package func integrityCheck() throws -> String {
        try run(step: "integrity check") { try $0.integrityCheck() }
    }

    /// Closes the file (open staging is dropped with the connection); later calls fail.
    package func close() {
        store.close()
    }

    package func coverage(job: String) throws -> [CoverageRow] {
        try run(step: "read coverage", job: job) { try $0.coverage(job: job) }
    }

    package func completeness(_ policies: [CompletenessPolicy], now: Double, write: Bool) throws -> [CompletenessReport] {
        try run(step: write ? "update gaps and freshness" : "read completeness") {
            try $0.completeness(policies, now: now, write: write)
        }
    }

    // MARK: Test seams

    /// Installs a hook that can throw at a ``FaultPoint`` of every commit.
    func setFaultHook(_ hook: (@Sendable (FaultPoint) throws -> Void)?) {
        store.faultHook = hook
    }

    // MARK: Private

    func run<T>(step: String, job: String? = nil, _ body: (WarehouseStore) throws -> T) throws -> T {
        do {
            return try body(store)
        } catch {
            throw SluiceError.warehouse(error, step: step, job: job)
        }
    }
}
