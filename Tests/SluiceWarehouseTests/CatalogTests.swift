import SluiceCore
import Testing
@testable import SluiceWarehouse

@Suite("Catalog")
struct CatalogTests {
    @Test func knownColumnsListDeclaredTypesByTableAndSourceName() async throws {
        try await withWarehouse { warehouse, _ in
            #expect(try await warehouse.knownColumns().isEmpty)
            let columns = [Column("Id", .bigint), Column("Name", .text), Column("Seen", .timestamp)]
            _ = try await warehouse.commit(devicesBatch([[.integer(1), .null, .null]], columns: columns),
                                           job: "j", runID: 1)
            #expect(try await warehouse.knownColumns()
                == ["devices": ["Id": .bigint, "Name": .text, "Seen": .timestamp]])
        }
    }

    @Test func rowCountsCoverDataTablesOnly() async throws {
        try await withWarehouse { warehouse, _ in
            _ = try await warehouse.commit(devicesBatch([[.integer(1), .text("a")], [.integer(2), .text("b")]]),
                                           job: "j", runID: 1)
            _ = try await warehouse.commit(devicesBatch([[.integer(1), .text("a")]], table: "another"),
                                           job: "j", runID: 1)
            let counts = try await warehouse.dataTableRowCounts()
            #expect(counts.map(\.table) == ["another", "devices"])
            #expect(counts.map(\.rows) == [1, 2])
        }
    }

    @Test func aForegroundRunMarksOnlyItsOwnJobsRunsAbandoned() async throws {
        try await withWarehouse { warehouse, _ in
            _ = try await warehouse.beginRun(job: "mine", trigger: .manual)
            let other = try await warehouse.beginRun(job: "daemon-job", trigger: .schedule)
            #expect(try await warehouse.markAbandonedRuns(job: "mine") == 1)
            #expect(try await warehouse.lastRun(job: "daemon-job")?.status == .running)
            #expect(try await warehouse.lastRun(job: "daemon-job")?.runID == other)
        }
    }
}
