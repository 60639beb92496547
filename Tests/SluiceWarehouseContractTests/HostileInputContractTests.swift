import SluiceCore
import Testing

/// Names and values from servers are data, never SQL; errors name the statement, never a value.
@Suite("Warehouse contract: hostile input")
struct HostileInputContractTests {
    @Test(arguments: Backend.allCases)
    func aHostileHeaderBecomesAQuotedColumnAndTheTableSurvives(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            _ = try await h.warehouse.commit(devicesBatch([[.integer(1), .text("a")]], table: "t"), job: "j", runID: 1)
            let hostile = devicesBatch([[.integer(2), .text("b"), .text("boom")]],
                                       columns: [Column("Id", .bigint), Column("Name", .text),
                                                 Column("x\"; DROP TABLE t; --", .text)], table: "t")
            _ = try await h.warehouse.commit(hostile, job: "j", runID: 2)
            #expect(try await h.scalar("SELECT count(*) FROM t") == .integer(2))
            #expect(try await h.scalar("SELECT x_drop_table_t FROM t WHERE id = 2") == .text("boom"))
            #expect(try await h.scalar("SELECT source_name FROM sluice_columns WHERE column_name = 'x_drop_table_t'")
                == .text("x\"; DROP TABLE t; --"))
        }
    }

    @Test(arguments: Backend.allCases)
    func emptyDuplicateKeywordAndOverlongNamesAllGetTheirOwnColumns(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            let long = String(repeating: "Quite Long Header ", count: 8)
            let sources = ["Id", "", "  ", "Device Name", "device_name", "Device Name", "select", "order", "from",
                           long, long + "2", "\"", "Name'); DELETE FROM sluice_runs; --"]
            let row: [Value] = sources.indices.map { .text("v\($0)") }
            let batch = Batch(target: TableTarget(table: "hostile", mode: .upsert, primaryKey: ["Id"]),
                              columns: sources.map { Column($0, .text) }, rows: [row], origin: "page 1")
            #expect(try await h.warehouse.commit(batch, job: "j", runID: 1) == 1)
            let names = try await h.declaredTypes("hostile").keys
            #expect(names.count == sources.count + 2)
            #expect(names.allSatisfy { $0.utf8.count <= 63 })
            #expect(Set(["id", "column", "column_2", "device_name", "device_name_2", "device_name_2_2", "select", "order",
                         "from"]).isSubset(of: Set(names)))
            #expect(try await h.scalar("SELECT \"order\" FROM hostile WHERE \"select\" = 'v6'") == .text("v7"))
            #expect(try await h.scalar("SELECT count(*) FROM sluice_columns WHERE table_name = 'hostile'")
                == .integer(Int64(sources.count)))
        }
    }

    @Test(arguments: Backend.allCases.flatMap { backend in
        ["t; DROP TABLE devices", "sluice_runs", "Devices", ""].map { (backend, $0) }
    })
    func hostileOrReservedTableNamesAreConfigurationErrors(backend: Backend, table: String) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            let error = await #expect(throws: SluiceError.self) {
                try await h.warehouse.commit(devicesBatch([[.integer(1), .text("a")]], table: table), job: "j", runID: 1)
            }
            #expect(error?.kind == .config)
            #expect(try await h.warehouse.knownColumns().isEmpty)
        }
    }

    @Test(arguments: Backend.allCases)
    func errorsNameTheStepButNeverTheValues(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            let secret = "s3cr3t-personal-data"
            let batch = devicesBatch([[.integer(1), .text(secret)], [.null, .text(secret)]], origin: "page 4")
            let error = await #expect(throws: SluiceError.self) { try await h.warehouse.commit(batch, job: "j", runID: 1) }
            let text = error.map(String.init(describing:)) ?? ""
            #expect(!text.contains(secret))
            #expect(text.contains("commit page 4"))
            #expect(text.contains("NOT NULL constraint failed"))
            #expect(text.contains("row 2"))
            #expect(error?.kind == .warehouse)
            #expect(error?.isRetryable == false)
        }
    }

    @Test(arguments: Backend.allCases)
    func aKeyThatIsNotAmongTheColumnsOrDiffersFromTheTablesIsAConfigurationError(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            let missing = await #expect(throws: SluiceError.self) {
                try await h.warehouse.commit(devicesBatch([[.integer(1), .text("a")]], key: ["DeviceId"]), job: "j", runID: 1)
            }
            #expect(missing?.kind == .config && missing?.message.contains("DeviceId") == true)
            #expect(try await h.nameExists("devices") == false)
            _ = try await h.warehouse.commit(devicesBatch([[.integer(1), .text("a")]]), job: "j", runID: 1)
            let differs = await #expect(throws: SluiceError.self) {
                try await h.warehouse.commit(devicesBatch([[.integer(1), .text("a")]], key: ["Name"]), job: "j", runID: 2)
            }
            #expect(differs?.kind == .config)
        }
    }

    @Test(arguments: Backend.allCases)
    func aBatchWiderThanATableMayBeIsRefusedBeforeAnyDDL(backend: Backend) async throws {
        try await Harness.with(backend) { (h: Harness) async throws in
            let columns = (0...Column.maxColumns).map { Column("c\($0)", .text) }
            let batch = Batch(target: TableTarget(table: "wide", mode: .upsert, primaryKey: ["c0"]), columns: columns,
                              rows: [columns.map { _ in .text("v") }], origin: "page 1")
            let error = await #expect(throws: SluiceError.self) { try await h.warehouse.commit(batch, job: "j", runID: 1) }
            #expect(error?.kind == .badData)
            #expect(try await h.nameExists("wide") == false)
        }
    }
}
