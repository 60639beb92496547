import Foundation
import Logging
import SluiceCore
import SluicePostgresTestSupport
@testable import SluicePostgres

/// 2023-11-14 22:13:20.500 UTC.
let fixedNow: Double = 1_700_000_000.5

/// A warehouse in a fresh schema of the test server and a reader of it; everything dropped afterwards.
enum Fixture {
    static func connector(schema: String, url: String? = nil, password: String? = TestPostgres.password) throws -> PostgresConnector {
        try PostgresConnector(location: try PostgresLocation(parsing: url ?? TestPostgres.url!), schema: schema,
                              password: password, logger: Logger(label: "test"))
    }

    /// Runs `body` with a warehouse, a reader and the schema name; fails (saying how to start one) without a server.
    static func with(test: String = #function,
                     _ body: (PostgresWarehouse, PostgresTestReader, String) async throws -> Void) async throws {
        guard TestPostgres.isConfigured else { throw TestPostgres.unavailable(test) }
        let schema = TestPostgres.freshSchema("w")
        // A name of its own, so a test can end its own sessions without touching those of tests running beside it.
        let url = TestPostgres.url! + "&application_name=sluice-\(schema)"
        let warehouse = PostgresWarehouse(connector: try connector(schema: schema, url: url), logger: Logger(label: "test"),
                                          now: { fixedNow })
        do {
            try await warehouse.prepare()
            let reader = try await PostgresTestReader.open(schema: schema)
            do {
                try await body(warehouse, reader, schema)
            } catch {
                await reader.close()
                throw error
            }
            await reader.close()
        } catch {
            await warehouse.close()
            await TestPostgres.dropSchema(schema)
            throw error
        }
        await warehouse.close()
        await TestPostgres.dropSchema(schema)
    }

    /// An upsert page of `rows` (`Id`, `Name`) into `table`.
    static func page(_ rows: [[Value]], table: String = "devices", columns: [Column] = [Column("Id", .bigint), Column("Name", .text)],
                     checkpoint: [String: String] = [:]) -> Batch {
        Batch(target: TableTarget(table: table, mode: .upsert, primaryKey: ["Id"]), columns: columns, rows: rows,
              checkpoint: checkpoint, origin: "page 1")
    }

    /// A snapshot part of `names` for dataset `id`.
    static func snapshot(_ names: [String], id: String, at: String, isLast: Bool = true, keep: Int? = nil,
                         table: String = "devices") -> Batch {
        Batch(target: TableTarget(table: table, mode: .snapshot, keepSnapshots: keep), columns: [Column("Device Name", .text)],
              rows: names.map { [.text($0)] }, origin: "download \(id)",
              dataset: DatasetPart(id: id, producedAt: at, name: "download \(id)", isLast: isLast))
    }
}
