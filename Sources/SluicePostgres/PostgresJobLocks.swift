package import Logging
import PostgresNIO
import SluiceCore
import Synchronization

/// Job locks inside the shared warehouse: a PostgreSQL session advisory lock per job, held on a connection of its
/// own for the whole run, so a job never runs twice at once anywhere, whichever instance (machine) starts it.
///
/// The key is a 64-bit hash of the schema and the job name (`hashtextextended`); two jobs whose keys collided would
/// only ever be kept from running at the same time. The server releases the lock when the session ends: when the
/// run ends, when the Sluice process dies (even by SIGKILL), and when its machine vanishes (the TCP keepalives set
/// on every connection, about two minutes). Whoever takes a job's lock next finds its run still marked `running`
/// and marks it `abandoned` (``JobRunner``).
///
/// While the run goes on, the lock connection is pinged every 15 s; when it stops answering (the server restarted,
/// the network broke) the lock may already be someone else's, so the run is cancelled (recorded `cancelled`) and
/// the job runs again at its next fire, here or elsewhere.
package struct PostgresJobLocks: JobLocks {
    package let connector: PostgresConnector
    let logger: Logger
    /// How often the lock connection is checked, and how long a check may take.
    let pingInterval: Duration

    package init(connector: PostgresConnector, logger: Logger, pingInterval: Duration = .seconds(15)) {
        self.connector = connector
        self.logger = logger
        self.pingInterval = pingInterval
    }

    /// The text hashed into the lock key of `job`.
    package func lockName(job: String) -> String { "sluice job \(connector.schema).\(job)" }

    package func withLock<T: Sendable>(job: String, _ body: @Sendable () async throws -> T) async throws -> T? {
        let connection = try await connector.connect()
        let session = PostgresSession(connection: connection, logger: connector.logger)
        do {
            let taken = try await session.rows("SELECT pg_try_advisory_lock(hashtextextended($1, 0))",
                                               [.text(lockName(job: job))]).first?.bool(0) ?? false
            guard taken else {
                try? await connection.close()
                return nil
            }
        } catch {
            try? await connection.close()
            throw PostgresFailure.located(error, step: "lock", job: job)
        }
        // The group inside `watched` waits for its tasks before returning, so `body` does not outlive this call.
        let outcome = await withoutActuallyEscaping(body) { body in await watched(body, connection: connection, job: job) }
        // Unlock explicitly (closing alone frees the lock only once the server process has ended, a moment later), but
        // never wait long for a connection that may have died meanwhile: closing frees the lock in any case.
        if !connection.isClosed {
            let unlock: EventLoopFuture<PostgresQueryResult> = connection.query(
                "SELECT pg_advisory_unlock(hashtextextended(\(lockName(job: job)), 0))", logger: connector.logger)
            _ = await Self.settled(unlock, within: pingInterval)
        }
        try? await connection.close()
        return try outcome.get()
    }

    private enum Event<T: Sendable>: Sendable {
        case finished(Result<T, any Error>)
        case lost
        case watchdogStopped
    }

    /// Runs `body` while a watchdog pings `connection`; cancels `body` when the connection stops answering.
    private func watched<T: Sendable>(_ body: @escaping @Sendable () async throws -> T, connection: PostgresConnection,
                                      job: String) async -> Result<T, any Error> {
        await withTaskGroup(of: Event<T>.self) { group in
            group.addTask {
                do { return .finished(.success(try await body())) } catch { return .finished(.failure(error)) }
            }
            group.addTask { [pingInterval, connector] in
                while true {
                    do { try await Task.sleep(for: pingInterval) } catch { return .watchdogStopped }
                    guard await Self.answers(connection, within: pingInterval, logger: connector.logger) else { return .lost }
                }
            }
            var result: Result<T, any Error> = .failure(CancellationError())
            while let event = await group.next() {
                switch event {
                case .finished(let outcome):
                    result = outcome
                    group.cancelAll()
                case .lost:
                    logger.error("""
                        lost the connection that holds the job's lock; stopping the run so that another instance can \
                        take the job
                        """, metadata: ["job.name": "\(job)"])
                    group.cancelAll()
                case .watchdogStopped:
                    continue
                }
            }
            return result
        }
    }

    /// Whether `connection` answers `SELECT 1` within `limit` (a connection that does not is closed).
    ///
    /// The answer is awaited through a continuation that the reply or a timer on the connection's event loop resumes,
    /// whichever comes first, never by awaiting the query itself: a query written to a connection the server has
    /// just ended may never be answered, and a task awaiting it could not be cancelled.
    static func answers(_ connection: PostgresConnection, within limit: Duration, logger: Logger) async -> Bool {
        guard !connection.isClosed else { return false }
        let answered = await settled(connection.query("SELECT 1", logger: logger), within: limit)
        if !answered { try? await connection.close() }
        return answered
    }

    /// Whether `future` succeeds within `limit`; false when it fails or is still pending then (it is left behind).
    static func settled(_ future: EventLoopFuture<PostgresQueryResult>, within limit: Duration) async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let first = FirstAnswer(continuation)
            future.whenComplete { result in first.resume((try? result.get()) != nil) }
            let (seconds, attoseconds) = limit.components
            future.eventLoop.scheduleTask(in: .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)) {
                first.resume(false)
            }
        }
    }
}

/// Resumes a continuation once, with the first of several answers (the others are ignored).
final class FirstAnswer: Sendable {
    private let continuation: Mutex<CheckedContinuation<Bool, Never>?>

    init(_ continuation: CheckedContinuation<Bool, Never>) {
        self.continuation = Mutex(continuation)
    }

    func resume(_ value: Bool) {
        continuation.withLock { $0.take() }?.resume(returning: value)
    }
}
