package import Logging
package import SluiceCore
import Synchronization

/// The PostgreSQL warehouse: the same contract as the SQLite file (data tables in the three load modes, the run
/// ledger `sluice_runs`, checkpoints in `sluice_state`, the column mapping in `sluice_columns`), in one schema of a
/// PostgreSQL database that several Sluice instances may share.
///
/// Every method is one short unit of work on a connection borrowed from a small pool: a page's rows and checkpoint
/// in one transaction, one part of a dataset in one transaction (invisible until the last part publishes), one run
/// record. Nothing is held open between two calls, and jobs write side by side on connections of their own.
///
/// Opening does no I/O (so `--warehouse postgresql://…` fits wherever a SQLite path is opened); the first call
/// connects and migrates, or ``prepare()`` does so up front.
package final class PostgresWarehouse: Warehouse {
    /// The schema of the data tables and the system tables.
    package let schema: String
    package let location: PostgresLocation
    let pool: PostgresPool
    let logger: Logger
    let now: @Sendable () -> Double
    /// Data tables as last read or changed, by the name readers use; only ever lacking columns (never wrong about
    /// one), and dropped for a table whose transaction failed.
    let tables = Mutex<[String: PostgresTable]>([:])
    /// Datasets this process is loading, by ``partKey(runID:table:dataset:)``.
    let parts = Mutex<[String: PartState]>([:])
    private let ready = Mutex(false)
    private let readOnly: Bool

    /// A warehouse at `connector`'s location; connects on first use.
    ///
    /// - Parameters:
    ///   - maxConnections: how many connections the jobs of this process share (the job locks have their own).
    ///   - logger: where counts of values that did not fit their column are reported.
    ///   - now: the wall clock in seconds since the epoch; injected so tests get fixed timestamps.
    package convenience init(connector: PostgresConnector, maxConnections: Int = 6, logger: Logger,
                now: @escaping @Sendable () -> Double = WallClock.epochNow) {
        self.init(connector: connector, maxConnections: maxConnections, logger: logger, now: now, readOnly: false)
    }

    private init(connector: PostgresConnector, maxConnections: Int, logger: Logger, now: @escaping @Sendable () -> Double,
                 readOnly: Bool) {
        schema = connector.schema
        location = connector.location
        pool = PostgresPool(connector: connector, limit: maxConnections)
        self.logger = logger
        self.now = now
        self.readOnly = readOnly
    }

    /// Opens an existing warehouse for reading only (`sluice status`): no migration, no write of any kind; nil
    /// when the schema holds no Sluice warehouse yet.
    package static func openForReading(connector: PostgresConnector, logger: Logger) async throws -> PostgresWarehouse? {
        let warehouse = PostgresWarehouse(connector: connector, maxConnections: 1, logger: logger,
                                          now: WallClock.epochNow, readOnly: true)
        do {
            guard try await warehouse.pool.withSession({ try await PostgresMigrations.exists($0) }) else {
                await warehouse.close()
                return nil
            }
        } catch {
            await warehouse.close()
            throw PostgresFailure.located(error, step: "open warehouse \(connector.location) for reading")
        }
        warehouse.ready.withLock { $0 = true }
        return warehouse
    }

    /// Connects and brings the schema to the newest version now (otherwise the first call does).
    package func prepare() async throws {
        guard !ready.withLock({ $0 }) else { return }
        do {
            try await pool.withSession { session in
                try await PostgresMigrations.migrate(session, schema: schema)
            }
        } catch {
            throw PostgresFailure.located(error, step: "open warehouse \(location)")
        }
        ready.withLock { $0 = true }
    }

    /// The current time as normalised UTC timestamp text.
    var timestamp: String { Timestamps.format(epochSeconds: now()) }

    /// Runs `body` with a session of the ready warehouse; errors become ``SluiceError``s located at `step`.
    @discardableResult
    func work<T>(step: String, job: String? = nil, _ body: (PostgresSession) async throws -> T) async throws -> T {
        do {
            if !readOnly { try await prepare() }
            return try await pool.withSession(body)
        } catch {
            throw PostgresFailure.located(error, step: step, job: job)
        }
    }

    /// `"schema"."name"`.
    func qualified(_ name: String) -> String { PostgresIdentifier.qualified(schema, name) }

    // MARK: Warehouse

    /// Starts a run: removes what an earlier, cut-off run of `job` left unpublished, then inserts a `running` row
    /// into `sluice_runs` and returns its id.
    package func beginRun(job: String, trigger: RunTrigger) async throws -> Int64 {
        await discardLeftovers(job: job, runID: nil)
        await purgePending()
        return try await work(step: "record run start", job: job) { session in
            let rows = try await session.rows("""
                INSERT INTO sluice_runs(job, "trigger", started_at, status) VALUES ($1, $2, $3::timestamptz, 'running')
                RETURNING run_id
                """, [.text(job), .text(trigger.rawValue), .text(timestamp)])
            return try rows.first?.int64(0) ?? 0
        }
    }

    /// Writes `batch` for run `runID` of `job`; returns the rows it made visible.
    ///
    /// A page: schema changes, rows and every `batch.checkpoint` key commit in one transaction. A dataset part: its
    /// rows are written in a transaction of their own but stay invisible; the last part publishes the dataset with
    /// the checkpoint. Any failure rolls back that one transaction.
    package func commit(_ batch: Batch, job: String, runID: Int64) async throws -> Int {
        do {
            if !readOnly { try await prepare() }
            if let part = batch.dataset {
                switch batch.target.mode {
                case .snapshot: return try await writeSnapshotPart(batch, part: part, job: job, runID: runID)
                case .replace, .upsert: return try await writeStagedPart(batch, part: part, job: job, runID: runID)
                }
            }
            guard batch.target.mode == .upsert else {
                throw SluiceError(.warehouse, step: "", "mode '\(batch.target.mode.rawValue)' loads whole datasets: "
                    + "the batch must be a part of one")
            }
            return try await writePage(batch, job: job, runID: runID)
        } catch {
            throw PostgresFailure.located(error, step: "commit \(batch.origin)", job: job)
        }
    }

    /// Throws away the parts of datasets that run `runID` of `job` wrote but never published.
    package func discardUnpublished(job: String, runID: Int64) async {
        forgetParts(runID: runID)
        await discardLeftovers(job: job, runID: runID)
    }

    /// Records how a run ended, after discarding whatever it wrote but never published.
    package func finishRun(_ end: RunEnd) async throws {
        forgetParts(runID: end.runID)
        if end.status != .succeeded, end.status != .unchanged {
            await discardLeftovers(job: nil, runID: end.runID)
        }
        try await work(step: "record run end") { session in
            try await session.execute("""
                UPDATE sluice_runs SET finished_at = $2::timestamptz, status = $3, rows_written = $4, requests = $5,
                    bytes_read = $6, error = $7, error_kind = $8
                WHERE run_id = $1
                """, [.integer(end.runID), .text(timestamp), .text(end.status.rawValue), .integer(end.rowsWritten),
                      .integer(end.requests), .integer(end.bytesRead), end.error.map(Value.text) ?? .null,
                      end.errorKind.map { .text($0.rawValue) } ?? .null])
        }
    }

    /// Records how run `id` ended (``finishRun(_:)`` spelled out).
    package func finishRun(id: Int64, status: RunStatus, rowsWritten: Int64 = 0, requests: Int64 = 0, bytesRead: Int64 = 0,
                          error: String? = nil, errorKind: SluiceError.Kind? = nil) async throws {
        try await finishRun(RunEnd(runID: id, status: status, rowsWritten: rowsWritten, requests: requests,
                                   bytesRead: bytesRead, error: error, errorKind: errorKind))
    }

    /// Marks runs still `running` (of `job`, or of every job) as `abandoned`; the caller holds their job locks, so
    /// whoever started them is gone.
    package func markAbandonedRuns(job: String? = nil) async throws -> Int {
        try await work(step: "mark abandoned runs", job: job) { session in
            try await session.execute("""
                UPDATE sluice_runs SET status = 'abandoned', finished_at = $1::timestamptz
                WHERE status = 'running' AND ($2::text IS NULL OR job = $2)
                """, [.text(timestamp), job.map(Value.text) ?? .null])
        }
    }

    /// Closes every connection; later calls fail.
    package func close() async {
        await pool.close()
    }
}

/// What this process knows about a dataset it is loading: the table its parts go to and that table's columns, so a
/// part costs its `COPY` and not a round of catalog reads. The database stays the truth (`sluice_pending`): a
/// dataset this process does not know (another run's, after a restart) is read from there.
struct PartState: Sendable {
    var pendingID: Int64
    var storage: String
    var loadID: Int64
    var columns: Set<String>
}

extension PostgresWarehouse {
    /// The key of a dataset being loaded by run `runID` into `table`.
    static func partKey(runID: Int64, table: String, dataset: String) -> String {
        "\(runID)\u{0}\(table)\u{0}\(dataset)"
    }

    func partState(_ key: String) -> PartState? {
        parts.withLock { $0[key] }
    }

    func setPartState(_ state: PartState?, for key: String) {
        parts.withLock { $0[key] = state }
    }

    /// Forgets the datasets of run `runID` (published, discarded, or the run ended).
    func forgetParts(runID: Int64) {
        parts.withLock { states in
            states = states.filter { !$0.key.hasPrefix("\(runID)\u{0}") }
        }
    }

    /// The column names of `table` as the catalog has them now.
    func columnNames(of table: String, session: PostgresSession) async throws -> Set<String> {
        try await PostgresTable.read(table, storage: table, schema: schema, session: session).allNames
    }
}
