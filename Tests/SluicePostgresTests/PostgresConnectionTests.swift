import Foundation
import Logging
import SluiceCore
import SluicePostgresTestSupport
import Testing
@testable import SluicePostgres
import PostgresNIO

/// Logging in, TLS, and the job locks several instances share.
@Suite("PostgreSQL connections and job locks")
struct PostgresConnectionTests {
    @Test func aWrongOrMissingPasswordIsAClearErrorThatNeverShowsThePassword() async throws {
        guard TestPostgres.isConfigured else { throw TestPostgres.unavailable() }
        let wrong = "wrong-password-\(UUID().uuidString)"
        let error = await #expect(throws: SluiceError.self) {
            _ = try await Fixture.connector(schema: "public", password: wrong).connect()
        }
        #expect(error?.kind == .config)
        #expect(error?.message.contains("SLUICE_WAREHOUSE_PASSWORD") == true, "\(String(describing: error))")
        #expect(!(error.map(String.init(describing:)) ?? "").contains(wrong))
        let missing = await #expect(throws: SluiceError.self) {
            _ = try await Fixture.connector(schema: "public", password: nil).connect()
        }
        #expect(missing?.kind == .config)
        #expect(missing?.message.contains("asks for a password") == true, "\(String(describing: missing))")
    }

    @Test func verifyFullConnectsWithTheRightCAAndRefusesAServerItCannotVerify() async throws {
        guard TestPostgres.isConfigured, let tls = TestPostgres.tlsURL else { throw TestPostgres.unavailable() }
        let connection = try await Fixture.connector(schema: "public", url: tls).connect()
        let rows = try await connection.query("SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                                              logger: Logger(label: "t")).collect()
        #expect(try rows.first?.decode(String.self) == "true")
        try await connection.close()
        // Without the test CA the system trust store cannot verify the server: refused.
        let withoutCA = String(tls[..<tls.range(of: "&sslrootcert=")!.lowerBound])
        await #expect(throws: SluiceError.self) { _ = try await Fixture.connector(schema: "public", url: withoutCA).connect() }
    }

    @Test func aJobRunsInOnePlaceAtATime() async throws {
        guard TestPostgres.isConfigured else { throw TestPostgres.unavailable() }
        let schema = TestPostgres.freshSchema("lock")
        let first = PostgresJobLocks(connector: try Fixture.connector(schema: schema), logger: Logger(label: "t"))
        let second = PostgresJobLocks(connector: try Fixture.connector(schema: schema), logger: Logger(label: "t"))
        let result = try await first.withLock(job: "feed") { () async throws -> String in
            #expect(try await second.withLock(job: "feed") { "ran twice" } == nil)
            #expect(try await second.withLock(job: "other") { "other job" } == "other job")
            return "ran"
        }
        #expect(result == "ran")
        #expect(try await second.withLock(job: "feed") { "ran after" } == "ran after")
        // Another schema is another job set.
        let elsewhere = PostgresJobLocks(connector: try Fixture.connector(schema: schema + "x"), logger: Logger(label: "t"))
        _ = try await first.withLock(job: "feed") { () async throws in
            #expect(try await elsewhere.withLock(job: "feed") { 1 } == 1)
        }
    }

    @Test func aRunWhoseLockConnectionDiesIsStoppedAndTheLockIsFreeForOthers() async throws {
        guard TestPostgres.isConfigured else { throw TestPostgres.unavailable() }
        let schema = TestPostgres.freshSchema("lost")
        let locks = PostgresJobLocks(connector: try Fixture.connector(schema: schema), logger: Logger(label: "t"),
                                     pingInterval: .milliseconds(200))
        let other = PostgresJobLocks(connector: try Fixture.connector(schema: schema), logger: Logger(label: "t"))
        let name = locks.lockName(job: "feed")
        let outcome = try await locks.withLock(job: "feed") { () async -> String in
            // The server ends the session holding the lock (a restart, a DBA, a network cut).
            _ = try? await TestPostgres.withConnection { connection in
                try await connection.query("""
                    SELECT pg_terminate_backend(l.pid) FROM pg_locks l, (SELECT hashtextextended(\(name), 0) AS k) h
                    WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
                      AND l.classid::bigint = ((h.k >> 32) & 4294967295) AND l.objid::bigint = (h.k & 4294967295)
                    """, logger: Logger(label: "t"))
            }
            // The run goes on until the watchdog cancels it (bounded: 30 s).
            for _ in 0..<300 {
                if Task.isCancelled { return "cancelled" }
                try? await Task.sleep(for: .milliseconds(100))
            }
            return "not cancelled"
        }
        #expect(outcome == "cancelled")
        #expect(try await other.withLock(job: "feed") { "taken over" } == "taken over")
    }
}
