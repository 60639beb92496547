/// The warehouse as the runner and the daemon see it: begin a run, commit batches with their checkpoints,
/// finish the run, and read state and history.
///
/// SQLite (`SQLiteWarehouse`) implements it; another backend (PostgreSQL) implements the same contract
/// without touching the sources or the runner:
/// - a page's rows and its checkpoint become visible together, or not at all;
/// - the parts of a dataset (``DatasetPart``) stay invisible until the last part publishes them, and no
///   transaction is held open between two parts;
/// - a run's leftovers (parts of a dataset it never published) are discarded when it fails, and by the next
///   run of the same job after a crash.
package protocol Warehouse: Sendable {
    /// Records a `running` run of `job` and returns its id.
    func beginRun(job: String, trigger: RunTrigger) async throws -> Int64

    /// Writes `batch` for run `runID` of `job`; returns the rows it made visible (inserted or really changed;
    /// 0 for a dataset part until the last part publishes the whole dataset).
    func commit(_ batch: Batch, job: String, runID: Int64) async throws -> Int

    /// Throws away what run `runID` of `job` wrote but never published (the parts of an unfinished dataset).
    func discardUnpublished(job: String, runID: Int64) async

    /// Records how a run ended.
    func finishRun(_ end: RunEnd) async throws

    /// Marks runs still `running` as `abandoned` (of `job`, or of every job): their process is gone.
    func markAbandonedRuns(job: String?) async throws -> Int

    /// The checkpoint keys of `job`.
    func state(job: String) async throws -> [String: String]

    /// Declared types of the columns the warehouse already has, by table and source name.
    func knownColumns() async throws -> [String: [String: ColumnType]]

    /// The newest `limit` runs of `job`, newest first.
    func recentRuns(job: String, limit: Int) async throws -> [RunRecord]

    /// Names of the jobs that have at least one run, sorted.
    func jobsWithRuns() async throws -> [String]

    /// The coverage ledger of `job`, by table, oldest window first.
    func coverage(job: String) async throws -> [CoverageRow]

    /// The completeness of each policy's job, computed from its ledger and run history; with `write`, also
    /// kept in the warehouse's `sluice_gaps` and `sluice_freshness` for dashboards (a reader passes false).
    func completeness(_ policies: [CompletenessPolicy], now: Double, write: Bool) async throws -> [CompletenessReport]

    /// Releases the connection; later calls fail.
    func close() async
}

/// How a run ended, as the runner records it.
package struct RunEnd: Sendable, Equatable {
    package var runID: Int64
    package var status: RunStatus
    package var rowsWritten: Int64
    package var requests: Int64
    package var bytesRead: Int64
    /// The redacted error text of a failed run.
    package var error: String?
    package var errorKind: SluiceError.Kind?

    package init(runID: Int64, status: RunStatus, rowsWritten: Int64 = 0, requests: Int64 = 0, bytesRead: Int64 = 0,
                error: String? = nil, errorKind: SluiceError.Kind? = nil) {
        self.runID = runID
        self.status = status
        self.rowsWritten = rowsWritten
        self.requests = requests
        self.bytesRead = bytesRead
        self.error = error
        self.errorKind = errorKind
    }
}

/// Makes sure a job runs in one place at a time: for SQLite a lock file per job beside the warehouse, for a
/// shared database a lock inside it (so several Sluice instances can share one job set).
package protocol JobLocks: Sendable {
    /// Runs `body` while holding `job`'s lock; nil (without running `body`) when someone else holds it.
    func withLock<T: Sendable>(job: String, _ body: @Sendable () async throws -> T) async throws -> T?
}

/// Writes a copy of the warehouse for readers elsewhere after a successful run (`sluice daemon --publish`).
package protocol WarehousePublisher: Sendable {
    /// Publishes the state after `job`'s run; failures are logged, never thrown (the data is safe where it is).
    func publish(after job: String) async
}
