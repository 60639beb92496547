import Logging
import SluiceCore
import SluicePostgresTestSupport
import Testing
@testable import SluicePostgres
import PostgresNIO

/// `sluice doctor`'s warehouse checks for PostgreSQL: logging in and the schema, never a file-system check, and
/// nothing written.
@Suite("PostgreSQL doctor")
struct PostgresDoctorTests {
    @Test func aMissingSchemaIsFineWhenSluiceMayCreateItAndDoctorCreatesNothing() async throws {
        guard TestPostgres.isConfigured else { throw TestPostgres.unavailable() }
        let schema = TestPostgres.freshSchema("doc")
        let section = await PostgresDoctor.examine(try Fixture.connector(schema: schema))
        #expect(section.checks.map(\.name) == ["connect", "schema"])
        #expect(section.checks.allSatisfy { $0.outcome == .pass }, "\(section.checks)")
        #expect(section.checks.last?.detail.contains("does not exist yet") == true)
        #expect(try await TestPostgres.withConnection { connection in
            try await connection.query("SELECT count(*)::bigint FROM pg_namespace WHERE nspname = \(schema)",
                                       logger: Logger(label: "t")).collect().first?.decode(Int64.self)
        } == 0)
    }

    @Test func aWarehouseFromANewerSluiceFailsWithTheFix() async throws {
        try await Fixture.with { _, reader, schema in
            let current = await PostgresDoctor.examine(try Fixture.connector(schema: schema))
            #expect(current.checks.last?.outcome == .pass)
            #expect(current.checks.last?.detail.contains("holds a Sluice warehouse (version") == true, "\(current.checks)")
            try await reader.execute("INSERT INTO sluice_schema_migrations(version, name) VALUES (99, 'future')")
            let newer = await PostgresDoctor.examine(try Fixture.connector(schema: schema))
            #expect(newer.checks.last?.outcome == .fail)
            #expect(newer.checks.last?.detail.contains("newer than this Sluice knows") == true, "\(newer.checks)")
        }
    }

    @Test func aWrongPasswordIsAFailedLoginThatNamesWhereThePasswordComesFrom() async throws {
        guard TestPostgres.isConfigured else { throw TestPostgres.unavailable() }
        let wrong = "wrong-\(UInt64.random(in: 0...UInt64.max))"
        let section = await PostgresDoctor.examine(try Fixture.connector(schema: "public", password: wrong))
        let check = try #require(section.checks.first)
        #expect(section.checks.count == 1 && check.name == "connect" && check.outcome == .fail)
        #expect(check.fix?.contains("SLUICE_WAREHOUSE_PASSWORD") == true, "\(check)")
        #expect(!"\(section)".contains(wrong))
    }
}
