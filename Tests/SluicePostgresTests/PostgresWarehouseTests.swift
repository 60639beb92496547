import Foundation
import Logging
import SluiceCore
import SluicePostgresTestSupport
import Testing
@testable import SluicePostgres
import PostgresNIO

/// What only the PostgreSQL warehouse has to show: partitions, concurrent readers, misfits, migrations, reading.
@Suite("PostgreSQL warehouse")
struct PostgresWarehouseTests {
    @Test func theLatestViewReadsOnlyTheNewestPartition() async throws {
        try await Fixture.with { warehouse, reader, _ in
            for day in 1...3 {
                _ = try await warehouse.commit(Fixture.snapshot((1...50).map { "d\(day)-\($0)" }, id: "d\(day)",
                                                                at: "2026-03-0\(day) 10:00:00"), job: "j", runID: Int64(day))
            }
            #expect(try await reader.int("SELECT count(*) FROM devices_latest") == 50)
            let plan = try await reader.rows("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT * FROM devices_latest")
                .compactMap { if case .text(let line) = $0[0] { line } else { nil } }.joined(separator: "\n")
            // Three partitions, two of them never scanned.
            #expect(plan.components(separatedBy: "(never executed)").count - 1 == 2, "\(plan)")
            #expect(try await reader.int("""
                SELECT count(*) FROM pg_inherits WHERE inhparent = to_regclass('sluice_rows_devices')
                """) == 3)
        }
    }

    @Test func aPrunedSnapshotsPartitionIsDroppedAndWaitsForAReaderHoldingTheTable() async throws {
        try await Fixture.with { warehouse, reader, schema in
            _ = try await warehouse.commit(Fixture.snapshot(["a"], id: "d1", at: "2026-03-01 10:00:00", keep: 1), job: "j", runID: 1)
            // A reader in the middle of a long query on the table: the pruned partition cannot be dropped now.
            try await reader.execute("BEGIN")
            #expect(try await reader.int("SELECT count(*) FROM devices") == 1)
            _ = try await warehouse.commit(Fixture.snapshot(["b"], id: "d2", at: "2026-03-02 10:00:00", keep: 1), job: "j", runID: 2)
            try await reader.execute("COMMIT")
            #expect(try await reader.rows("SELECT device_name FROM devices") == [[.text("b")]])
            #expect(try await reader.rows("SELECT purpose FROM sluice_pending") == [[.text("purge")]])
            // The next run drops it.
            _ = try await warehouse.beginRun(job: "j", trigger: .schedule)
            #expect(try await reader.int("SELECT count(*) FROM sluice_pending") == 0)
            let loads = try await reader.rows("""
                SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname LIKE 'sluice\\_load\\_%'
                """, [schema])
            #expect(loads.count == 1, "\(loads)")
        }
    }

    @Test func aReaderInOneTransactionSeesAPageWhollyBeforeOrWhollyAfter() async throws {
        try await Fixture.with { warehouse, reader, _ in
            _ = try await warehouse.commit(Fixture.page([[.integer(1), .text("a")]]), job: "j", runID: 1)
            try await reader.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
            #expect(try await reader.int("SELECT count(*) FROM devices") == 1)
            let rows: [[Value]] = (2...50).map { [.integer(Int64($0)), .text("row \($0)")] }
            #expect(try await warehouse.commit(Fixture.page(rows, checkpoint: ["cursor": "50"]), job: "j", runID: 1) == 49)
            #expect(try await reader.int("SELECT count(*) FROM devices") == 1)
            #expect(try await reader.int("SELECT count(*) FROM sluice_state") == 0)
            try await reader.execute("COMMIT")
            #expect(try await reader.int("SELECT count(*) FROM devices") == 50)
            #expect(try await reader.scalar("SELECT value FROM sluice_state WHERE key = 'cursor'") == .text("50"))
        }
    }

    @Test func valuesThatDoNotFitATypedColumnAreWrittenAsNULL() async throws {
        try await Fixture.with { warehouse, reader, _ in
            _ = try await warehouse.commit(Fixture.page([[.integer(1), .integer(10)]], columns: [Column("Id", .bigint),
                                                                                               Column("Battery", .bigint)]),
                                           job: "j", runID: 1)
            _ = try await warehouse.commit(Fixture.page([[.integer(2), .text("n/a")], [.integer(3), .text("30")]],
                                                        columns: [Column("Id", .bigint), Column("Battery", .text)]),
                                           job: "j", runID: 2)
            #expect(try await reader.rows("SELECT id, battery FROM devices ORDER BY id")
                == [[.integer(1), .integer(10)], [.integer(2), .null], [.integer(3), .integer(30)]])
        }
    }

    @Test func theTypesAreTheIssuesPostgreSQLTypes() async throws {
        try await Fixture.with { warehouse, reader, _ in
            let columns = [Column("Id", .bigint), Column("Score", .double), Column("Ok", .boolean), Column("Seen", .timestamp),
                           Column("Day", .date), Column("Note", .text)]
            _ = try await warehouse.commit(Fixture.page([[.integer(1), .double(1.5), .bool(true), .text("2024-01-01 00:00:00"),
                                                         .text("2024-01-01"), .text("x")]], columns: columns), job: "j", runID: 1)
            #expect(try await reader.declaredTypes("devices") == [
                "id": "bigint", "score": "double precision", "ok": "boolean", "seen": "timestamp with time zone",
                "day": "date", "note": "text", "_sluice_run_id": "bigint", "_sluice_loaded_at": "timestamp with time zone",
            ])
        }
    }

    @Test func aBrokenConnectionIsReplacedForTheNextCommit() async throws {
        try await Fixture.with { warehouse, reader, schema in
            _ = try await warehouse.commit(Fixture.page([[.integer(1), .text("a")]]), job: "j", runID: 1)
            _ = try await reader.rows("""
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1
                """, ["sluice-\(schema)"])
            try await Task.sleep(for: .milliseconds(200))
            // The pool notices the closed connection when it lends it out again.
            var committed = false
            for _ in 0..<2 where !committed {
                committed = (try? await warehouse.commit(Fixture.page([[.integer(2), .text("b")]]), job: "j", runID: 2)) != nil
            }
            #expect(committed)
            #expect(try await reader.int("SELECT count(*) FROM devices") == 2)
        }
    }

    @Test func twoInstancesMigrateTheSameSchemaAtOnceAndAReaderNeverCreatesIt() async throws {
        guard TestPostgres.isConfigured else { throw TestPostgres.unavailable() }
        let schema = TestPostgres.freshSchema("mig")
        #expect(try await PostgresWarehouse.openForReading(connector: try Fixture.connector(schema: schema),
                                                           logger: Logger(label: "t")) == nil)
        #expect(try await TestPostgres.withConnection { connection in
            try await connection.query("SELECT count(*)::bigint FROM pg_namespace WHERE nspname = \(schema)", logger: Logger(label: "t"))
                .collect().first?.decode(Int64.self)
        } == 0)
        let warehouses = try (0..<4).map { _ in
            PostgresWarehouse(connector: try Fixture.connector(schema: schema), logger: Logger(label: "t"))
        }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for warehouse in warehouses.dropLast() { group.addTask { try await warehouse.prepare() } }
                try await group.waitForAll()
            }
            let reading = try #require(try await PostgresWarehouse.openForReading(connector: try Fixture.connector(schema: schema),
                                                                                  logger: Logger(label: "t")))
            #expect(try await reading.jobsWithRuns() == [])
            await reading.close()
            let reader = try await PostgresTestReader.open(schema: schema)
            #expect(try await reader.rows("SELECT version, name FROM sluice_schema_migrations ORDER BY version")
                == [[.integer(1), .text("system tables")], [.integer(2), .text("coverage ledger, gaps and freshness")]])
            // A schema from a newer Sluice is refused, not damaged.
            try await reader.execute("INSERT INTO sluice_schema_migrations(version, name) VALUES (99, 'future')")
            await reader.close()
            let error = await #expect(throws: SluiceError.self) { try await warehouses.last!.prepare() }
            #expect(error?.message.contains("newer than this Sluice knows") == true)
        } catch {
            for warehouse in warehouses { await warehouse.close() }
            await TestPostgres.dropSchema(schema)
            throw error
        }
        for warehouse in warehouses { await warehouse.close() }
        await TestPostgres.dropSchema(schema)
    }

    @Test func rowCountsCoverDataTablesOnly() async throws {
        try await Fixture.with { warehouse, _, _ in
            _ = try await warehouse.commit(Fixture.page([[.integer(1), .text("a")]], table: "feed"), job: "j", runID: 1)
            _ = try await warehouse.commit(Fixture.snapshot(["a", "b"], id: "d1", at: "2026-03-01 10:00:00"), job: "w", runID: 2)
            _ = try await warehouse.commit(Fixture.snapshot(["c"], id: "d2", at: "2026-03-02 10:00:00", isLast: false), job: "w", runID: 3)
            let counts = try await warehouse.dataTableRowCounts()
            #expect(counts.map(\.table) == ["devices", "feed"] && counts.map(\.rows) == [2, 1])
        }
    }
}
