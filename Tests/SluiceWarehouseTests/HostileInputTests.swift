import SluiceCore
import Testing
@testable import SluiceWarehouse

@Suite("Hostile input")
struct HostileInputTests {
    @Test func aHostileHeaderBecomesAQuotedColumnAndTheTableSurvives() async throws {
        try await withWarehouse { warehouse, path in
            _ = try await warehouse.commit(devicesBatch([[.integer(1), .text("a")]], table: "t"), job: "j", runID: 1)
            let hostile = devicesBatch([[.integer(2), .text("b"), .text("boom")]],
                                       columns: [Column("Id", .bigint), Column("Name", .text),
                                                 Column("x\"; DROP TABLE t; --", .text)], table: "t")
            _ = try await warehouse.commit(hostile, job: "j", runID: 2)

            let reader = try openReader(path)
            #expect(try reader.tableExists("t"))
            #expect(try reader.scalar("SELECT count(*) FROM t") == .integer(2))
            #expect(try reader.scalar("SELECT x_drop_table_t FROM t WHERE id = 2") == .text("boom"))
            #expect(try reader.scalar("SELECT source_name FROM sluice_columns WHERE column_name = 'x_drop_table_t'")
                == .text("x\"; DROP TABLE t; --"))
        }
    }

    @Test func emptyDuplicateKeywordAndOverlongNamesAllGetTheirOwnColumns() async throws {
        try await withWarehouse { warehouse, path in
            let long = String(repeating: "Quite Long Header ", count: 8)
            let sources = ["Id", "", "  ", "Device Name", "device_name", "Device Name", "select", "order", "from",
                           long, long + "2", "\"", "Name'); DELETE FROM sluice_runs; --"]
            let columns = sources.map { Column($0, .text) }
            let row: [Value] = sources.indices.map { .text("v\($0)") }
            let batch = Batch(target: TableTarget(table: "hostile", mode: .upsert, primaryKey: ["Id"]),
                              columns: columns, rows: [row], origin: "page 1")
            #expect(try await warehouse.commit(batch, job: "j", runID: 1) == 1)

            let reader = try openReader(path)
            let names = try reader.rows("SELECT name FROM pragma_table_info('hostile') ORDER BY cid").compactMap {
                if case .text(let name) = $0[0] { name } else { nil }
            }
            #expect(names.count == sources.count + 2)
            #expect(Set(names).count == names.count)
            #expect(names.allSatisfy { $0.utf8.count <= 63 })
            #expect(Array(names.prefix(9)) == ["id", "column", "column_2", "device_name", "device_name_2",
                                              "device_name_2_2", "select", "order", "from"])
            #expect(try reader.scalar("SELECT \"order\" FROM hostile WHERE \"select\" = 'v6'") == .text("v7"))
            #expect(try reader.scalar("SELECT count(*) FROM sluice_columns WHERE table_name = 'hostile'")
                == .integer(Int64(sources.count)))
        }
    }

    @Test("hostile or reserved table names are configuration errors",
          arguments: ["t; DROP TABLE devices", "sluice_runs", "Devices", ""])
    func hostileTableNamesAreRejected(table: String) async throws {
        try await withWarehouse { warehouse, path in
            let reader = try openReader(path)
            let error = await #expect(throws: SluiceError.self) {
                try await warehouse.commit(devicesBatch([[.integer(1), .text("a")]], table: table), job: "j", runID: 1)
            }
            #expect(error?.kind == .config)
            let userTables = """
                SELECT count(*) FROM sqlite_master
                WHERE type = 'table' AND name NOT LIKE 'sluice%' AND name NOT LIKE 'sqlite%'
                """
            #expect(try reader.scalar(userTables) == .integer(0))
        }
    }

    @Test func errorsNameTheStatementButNeverTheBoundValues() async throws {
        try await withWarehouse { warehouse, _ in
            let secret = "s3cr3t-personal-data"
            let batch = devicesBatch([[.integer(1), .text(secret)], [.null, .text(secret)]], origin: "page 4")
            let error = await #expect(throws: SluiceError.self) {
                try await warehouse.commit(batch, job: "j", runID: 1)
            }
            let text = error.map(String.init(describing:)) ?? ""
            #expect(!text.contains(secret))
            #expect(text.contains("commit page 4"))
            #expect(text.contains("NOT NULL constraint failed"))
            #expect(text.contains("INSERT of row 2"))
            #expect(error?.kind == .warehouse)
            #expect(error?.isRetryable == false)
        }
    }

    @Test func aKeyThatIsNotAmongTheColumnsIsAConfigurationError() async throws {
        try await withWarehouse { warehouse, path in
            let reader = try openReader(path)
            let error = await #expect(throws: SluiceError.self) {
                try await warehouse.commit(devicesBatch([[.integer(1), .text("a")]], key: ["DeviceId"]),
                                           job: "j", runID: 1)
            }
            #expect(error?.kind == .config)
            #expect(error?.message.contains("DeviceId") == true)
            #expect(try reader.tableExists("devices") == false)
        }
    }

    @Test func aKeyThatDiffersFromTheTablesKeyIsAConfigurationError() async throws {
        try await withWarehouse { warehouse, _ in
            _ = try await warehouse.commit(devicesBatch([[.integer(1), .text("a")]]), job: "j", runID: 1)
            let error = await #expect(throws: SluiceError.self) {
                try await warehouse.commit(devicesBatch([[.integer(1), .text("a")]], key: ["Name"]), job: "j", runID: 2)
            }
            #expect(error?.kind == .config)
        }
    }

    @Test func aRowWithTheWrongNumberOfValuesFailsThePageAndWritesNothing() async throws {
        try await withWarehouse { warehouse, path in
            let reader = try openReader(path)
            let batch = devicesBatch([[.integer(1), .text("a")], [.integer(2)]], checkpoint: ["cursor": "2"])
            let error = await #expect(throws: SluiceError.self) {
                try await warehouse.commit(batch, job: "j", runID: 1)
            }
            #expect(error?.step.contains("row 2") == true)
            #expect(try reader.tableExists("devices") == false)
            #expect(try await warehouse.state(job: "j").isEmpty)
        }
    }
}
