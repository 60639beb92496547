import Logging
import PostgresNIO
import SluiceCore
import Synchronization

/// A few warehouse connections shared by the jobs of one process: each unit of work (a page, a dataset part, a
/// run record) borrows one for its transaction and gives it back, so jobs write side by side (PostgreSQL writers
/// do not block each other) and no connection is held while a source downloads.
///
/// At most `limit` connections are open; a borrower beyond that waits for one to come back. A session that
/// failed with its connection gone is closed instead of returned; one idle for more than a minute is checked
/// with `SELECT 1` before it is lent again (a firewall or the server may have dropped it meanwhile).
struct PostgresPool: Sendable {
    let state: PostgresPoolState

    init(connector: PostgresConnector, limit: Int) {
        state = PostgresPoolState(connector: connector, limit: limit)
    }

    /// Closes every idle connection; sessions still lent out are closed when they come back.
    func close() async { await state.close() }

    /// Runs `body` with a borrowed session, giving it back afterwards (closed when the connection broke).
    @discardableResult
    func withSession<T>(isolation: isolated (any Actor)? = #isolation,
                        _ body: (PostgresSession) async throws -> T) async throws -> T {
        let session = try await state.lease()
        do {
            let value = try await body(session)
            await state.release(session)
            return value
        } catch {
            if PostgresFailure.isConnectionLost((error as? PostgresSession.Failure)?.underlying ?? error) {
                try? await session.connection.close()
            }
            await state.release(session)
            throw error
        }
    }
}

/// The pool's bookkeeping: idle sessions, how many are open, who waits for one.
actor PostgresPoolState {
    let connector: PostgresConnector
    let limit: Int
    private var idle: [PostgresSession] = []
    private var open = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var closed = false

    init(connector: PostgresConnector, limit: Int) {
        self.connector = connector
        self.limit = max(1, limit)
    }

    /// A session for the caller's exclusive use until ``release(_:)``.
    func lease() async throws -> PostgresSession {
        while true {
            guard !closed else { throw SluiceError(.warehouse, step: "connect", "the warehouse is closed") }
            while let session = idle.popLast() {
                if await usable(session) { return session }
                open -= 1
                try? await session.connection.close()
            }
            if open < limit {
                open += 1
                do {
                    let connection = try await connector.connect()
                    return PostgresSession(connection: connection, logger: connector.logger)
                } catch {
                    open -= 1
                    wakeOne()
                    throw error
                }
            }
            await withCheckedContinuation { waiters.append($0) }
        }
    }

    /// Gives `session` back; a closed one (or any, once the pool is closed) is dropped.
    func release(_ session: PostgresSession) async {
        if closed || session.isClosed {
            open -= 1
            try? await session.connection.close()
        } else {
            session.lastUsed.withLock { $0 = .now }
            idle.append(session)
        }
        wakeOne()
    }

    /// Closes every idle connection; sessions still lent out are closed when they come back.
    func close() async {
        closed = true
        let sessions = idle
        idle.removeAll()
        open -= sessions.count
        for session in sessions { try? await session.connection.close() }
        let waiting = waiters
        waiters.removeAll()
        for waiter in waiting { waiter.resume() }
    }

    private func usable(_ session: PostgresSession) async -> Bool {
        guard !session.isClosed else { return false }
        let idleFor = session.lastUsed.withLock { ContinuousClock.now - $0 }
        guard idleFor > .seconds(60) else { return true }
        return (try? await session.execute("SELECT 1")) != nil
    }

    private func wakeOne() {
        if !waiters.isEmpty { waiters.removeFirst().resume() }
    }
}
