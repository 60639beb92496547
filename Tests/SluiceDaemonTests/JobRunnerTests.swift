import Foundation
import Synchronization
import InMemoryLogging
import Logging
import SluiceCore
import SluiceSources
import Testing
@testable import SluiceDaemon
@testable import SluiceWarehouse

/// A source that emits the batches it is given, then ends (or fails with `failure`).
struct FakeSource: Source {
    var batches: [Batch]
    var failure: SluiceError?
    /// Waits (until cancelled) after the last batch instead of ending: a server that stopped answering.
    var hangAtEnd = false

    func pull(_ request: PullRequest, emit: @Sendable (Batch) async throws -> Void) async throws -> PullOutcome {
        for batch in batches { try await emit(batch) }
        if hangAtEnd { try await Task.sleep(for: .seconds(3600)) }
        if let failure { throw failure }
        return .completed
    }
}

/// Hands the runner a ``FakeSource`` for every job.
struct FakeSources: SourceProvider {
    var source: FakeSource

    func prepare(_ job: JobDefinition, logger: Logger) -> PreparedSource {
        PreparedSource(source: source, stats: { HTTPStats() })
    }
}

/// Locks that are always free (the runner's tests run one job in one process).
struct NoLocks: JobLocks {
    func withLock<T: Sendable>(job: String, _ body: @Sendable () async throws -> T) async throws -> T? { try await body() }
}

/// The runner between fakes at its seams: a fake source, the real SQLite warehouse, an in-memory logger.
@Suite("job runner")
struct JobRunnerTests {
    static let job = JobDefinition(name: "feed", file: "feed.yaml", schedule: .every(seconds: 3600),
                                   target: TargetSettings(table: "rows"),
                                   source: .cursorFeed(CursorFeedSettings(baseURL: "http://127.0.0.1:9", dataset: "x", token: nil)))

    static func page(_ n: Int, ids: [Int64]) -> Batch {
        Batch(target: TableTarget(table: "rows", mode: .upsert, primaryKey: ["id"]), columns: [Column("id", .bigint)],
              rows: ids.map { [.integer($0)] }, checkpoint: ["cursor": "\(n)"], origin: "page \(n) of x")
    }

    static func part(_ n: Int, ids: [Int64], last: Bool) -> Batch {
        Batch(target: TableTarget(table: "devices", mode: .snapshot), columns: [Column("id", .bigint)],
              rows: ids.map { [.integer($0)] }, checkpoint: last ? ["download": "d1"] : [:],
              origin: "download d1, part \(n)",
              dataset: DatasetPart(id: "d1", producedAt: "2026-03-01 10:00:00", name: "download d1", isLast: last))
    }

    /// Runs `job` once with `source` against a new warehouse; `configure` may set a fault hook first.
    func run(_ source: FakeSource, job: JobDefinition = JobRunnerTests.job,
             clock: any Clock<Duration> = ContinuousClock(),
             onProgress: (@Sendable (RunProgress) -> Void)? = nil,
             configure: (SQLiteWarehouse) async -> Void = { _ in },
             check: (RunReport, SQLiteWarehouse, InMemoryLogHandler) async throws -> Void) async throws {
        let dir = NSTemporaryDirectory() + "sluice-runner-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let warehouse = try SQLiteWarehouse.open(path: dir + "/w.db")
        await configure(warehouse)
        let logs = InMemoryLogHandler()
        let logger = Logger(label: "test") { _ in logs }
        let runner = JobRunner(warehouse: warehouse, sources: FakeSources(source: source), locks: NoLocks(), logger: logger,
                               clock: clock, onProgress: onProgress)
        let report = await runner.run(job, trigger: .manual)
        try await check(report, warehouse, logs)
        await warehouse.close()
    }

    @Test func aFailedCommitNamesItsStepOnceWithItsKind() async throws {
        let source = FakeSource(batches: [Self.page(1, ids: [1]), Self.page(2, ids: [2])])
        try await run(source, configure: { warehouse in
            let commits = Counter()
            await warehouse.setFaultHook { point in
                if point == .afterRows, commits.next() == 2 { throw InjectedFault() }
            }
        }) { report, warehouse, logs in
            let error = try #require(report.error)
            #expect(report.status == .failed)
            #expect(error.components(separatedBy: "commit page 2 of x").count == 2, "the step is named exactly once: \(error)")
            #expect(error.hasPrefix("job 'feed', commit page 2 of x: "), "\(error)")
            #expect(report.errorKind == .warehouse)
            #expect(report.rowsWritten == 1)
            let recorded = try await warehouse.lastRun(job: "feed")
            #expect(recorded?.errorKind == .warehouse)
            let state = try await warehouse.state(job: "feed")
            #expect(state == ["cursor": "1"])
            let line = try #require(logs.entries.first { $0.level == .error })
            #expect(line.metadata["error.kind"] == "warehouse")
        }
    }

    @Test func aDownloadThatFailsHalfWayCountsNoRowsAndLeavesNothing() async throws {
        let source = FakeSource(batches: [Self.part(1, ids: [1, 2], last: false), Self.part(2, ids: [3], last: false)],
                                failure: SluiceError(.badResponse, step: "download d1", "the body is cut short", retryable: true))
        try await run(source) { report, warehouse, logs in
            #expect(report.status == .failed)
            #expect(report.rowsWritten == 0)
            #expect(report.errorKind == .badResponse && report.retryable)
            let tables = try await warehouse.dataTableRowCounts()
            #expect(tables.allSatisfy { $0.rows == 0 }, "\(tables)")
            let integrity = try await warehouse.integrityCheck()
            #expect(integrity == "ok")
            #expect(!logs.entries.contains { "\($0.message)".hasPrefix("loaded") })
        }
    }

    @Test func aPublishedDownloadCountsItsRowsOnceAndIsLoggedAfterItCommits() async throws {
        let source = FakeSource(batches: [Self.part(1, ids: [1, 2], last: false), Self.part(2, ids: [3], last: true)])
        try await run(source) { report, warehouse, logs in
            #expect(report.status == .succeeded)
            #expect(report.rowsWritten == 3)
            let tables = try await warehouse.dataTableRowCounts()
            #expect(tables.map(\.rows) == [3])
            #expect(logs.entries.contains { "\($0.message)" == "loaded download d1: 3 rows" })
        }
    }

    /// A shutdown cancels runs in flight, possibly while their start or end is being recorded: the records still
    /// land and match what the runner reports, so no run stays `running` in the warehouse.
    @Test func aRunCancelledWhileItsRecordsAreWrittenStillRecordsItsEnd() async throws {
        let dir = NSTemporaryDirectory() + "sluice-runner-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sqlite = try SQLiteWarehouse.open(path: dir + "/w.db")
        let runner = JobRunner(warehouse: CancellationSensitiveWarehouse(inner: sqlite),
                               sources: FakeSources(source: FakeSource(batches: [Self.page(1, ids: [1])])),
                               locks: NoLocks(), logger: Logger(label: "test") { _ in InMemoryLogHandler() })
        let report = await Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await runner.run(Self.job, trigger: .schedule)
        }.value
        #expect(report.status == .cancelled)
        let recorded = try #require(try await sqlite.lastRun(job: "feed"))
        #expect(recorded.runID == report.runID)
        #expect(recorded.status == .cancelled)
        await sqlite.close()
    }

    @Test func aRunPastItsDeadlineIsATimeoutThatKeepsWhatCommitted() async throws {
        var job = Self.job
        job.maxRunSeconds = 3
        // Three pages, then a server that never answers again; the deadline passes once the third is committed.
        let source = FakeSource(batches: (1...3).map { Self.page($0, ids: [Int64($0)]) }, hangAtEnd: true)
        let gate = Gate()
        let clock = GatedClock(gate: gate)
        try await run(source, job: job, clock: clock, onProgress: { progress in
            if progress.pages == 3 { Task { await gate.open() } }
        }) { report, warehouse, _ in
            #expect(report.status == .failed)
            #expect(report.errorKind == .timeout)
            #expect(report.error?.contains("max_run_time (3s)") == true)
            #expect(report.rowsWritten == 3)
            let state = try await warehouse.state(job: "feed")
            #expect(state["cursor"] == "3")
        }
    }
}

/// The SQLite warehouse, answering run records the way a network database client does when the calling task is
/// cancelled: the statement takes effect, and the caller gets a `CancellationError` anyway.
struct CancellationSensitiveWarehouse: Warehouse {
    let inner: SQLiteWarehouse

    func beginRun(job: String, trigger: RunTrigger) async throws -> Int64 {
        let id = try await inner.beginRun(job: job, trigger: trigger)
        try Task.checkCancellation()
        return id
    }
    func finishRun(_ end: RunEnd) async throws {
        try await inner.finishRun(end)
        try Task.checkCancellation()
    }
    func commit(_ batch: Batch, job: String, runID: Int64) async throws -> Int {
        try await inner.commit(batch, job: job, runID: runID)
    }
    func discardUnpublished(job: String, runID: Int64) async { await inner.discardUnpublished(job: job, runID: runID) }
    func markAbandonedRuns(job: String?) async throws -> Int { try await inner.markAbandonedRuns(job: job) }
    func state(job: String) async throws -> [String: String] { try await inner.state(job: job) }
    func knownColumns() async throws -> [String: [String: ColumnType]] { try await inner.knownColumns() }
    func recentRuns(job: String, limit: Int) async throws -> [RunRecord] { try await inner.recentRuns(job: job, limit: limit) }
    func jobsWithRuns() async throws -> [String] { try await inner.jobsWithRuns() }
    func coverage(job: String) async throws -> [CoverageRow] { try await inner.coverage(job: job) }
    func completeness(_ policies: [CompletenessPolicy], now: Double, write: Bool) async throws -> [CompletenessReport] {
        try await inner.completeness(policies, now: now, write: write)
    }
    func close() async { await inner.close() }
}

/// A one-shot barrier: `wait()` suspends until `open()` is called or the waiting task is cancelled.
actor Gate {
    private var isOpen = false
    private var waiters: [UUID: CheckedContinuation<Void, any Error>] = [:]
    private var cancelledEarly: Set<UUID> = []

    func wait() async throws {
        if isOpen { return }
        let id = UUID()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if cancelledEarly.remove(id) != nil {
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiters[id] = continuation
                }
            }
        } onCancel: {
            Task { await self.cancel(id) }
        }
    }

    func open() {
        isOpen = true
        for waiter in waiters.values { waiter.resume() }
        waiters = [:]
    }

    private func cancel(_ id: UUID) {
        if let waiter = waiters.removeValue(forKey: id) {
            waiter.resume(throwing: CancellationError())
        } else if !isOpen {
            cancelledEarly.insert(id)
        }
    }
}

/// A clock on which every sleep ends when the test opens `gate`, whatever its length: a deadline that passes
/// at a point the test chooses rather than after some seconds of a loaded machine.
struct GatedClock: Clock {
    let gate: Gate
    var now: ContinuousClock.Instant { ContinuousClock.now }
    var minimumResolution: Duration { .nanoseconds(1) }
    func sleep(until deadline: ContinuousClock.Instant, tolerance: Duration?) async throws {
        try await gate.wait()
    }
}

/// Numbers calls across tasks.
final class Counter: Sendable {
    private let value = Mutex(0)
    func next() -> Int { value.withLock { $0 += 1; return $0 } }
}

/// The failure a fault hook throws.
struct InjectedFault: Error {}
