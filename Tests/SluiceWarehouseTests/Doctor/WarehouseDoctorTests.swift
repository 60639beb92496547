import Foundation
import SluiceCore
import Testing
@testable import SluiceWarehouse

/// The warehouse checks on real files: a scratch WAL database in the folder, the catalog of a real warehouse
/// read through a read-only connection, and the promise never to create or change the warehouse.
@Suite struct WarehouseDoctorTests {
    static func check(_ section: DoctorSection, _ name: String) -> DoctorCheck? {
        section.checks.first { $0.name == name }
    }

    @Test func aFolderWithoutWarehousePassesAndNoFileIsLeftBehind() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path + "/warehouse.db"
        let section = WarehouseDoctor.examine(path: path, now: fixedNow)
        #expect(section.outcome == .pass, "\(section.text(redactor: Redactor()))")
        #expect(Self.check(section, "WAL")?.outcome == .pass)
        #expect(Self.check(section, "file system") != nil)
        #expect(!FileManager.default.fileExists(atPath: path), "doctor created the warehouse")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty, "the scratch database stayed")
    }

    @Test func aWarehouseSluiceMadePassesTheLintAndIsNotChanged() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path + "/warehouse.db"
        let warehouse = try SQLiteWarehouse.open(path: path, now: { fixedNow })
        let run = try await warehouse.beginRun(job: "devices", trigger: .manual)
        _ = try await warehouse.commit(devicesBatch([[.integer(1), .text("a")]]), job: "devices", runID: run)
        await warehouse.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))

        let section = WarehouseDoctor.examine(path: path, now: fixedNow)
        #expect(Self.check(section, "table types")?.outcome == .pass, "\(section.text(redactor: Redactor()))")
        #expect(Self.check(section, "views")?.outcome == .pass, "\(section.text(redactor: Redactor()))")
        #expect(Self.check(section, "folder")?.detail.contains("and so is the warehouse file") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "doctor changed the warehouse")
    }

    @Test func aDecimalColumnAndAnExpressionViewFailTheLint() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path + "/warehouse.db"
        let warehouse = try SQLiteWarehouse.open(path: path, now: { fixedNow })
        await warehouse.close()
        let db = try SQLiteDatabase(path: path)
        try db.execute("""
            CREATE TABLE prices(id BIGINT, amount DECIMAL(10,2));
            CREATE VIEW daily AS SELECT date(started_at) AS day, count(*) AS runs FROM sluice_runs GROUP BY 1;
            CREATE VIEW plain AS SELECT id FROM prices;
            """)
        db.close()

        let section = WarehouseDoctor.examine(path: path, now: fixedNow)
        let types = try #require(Self.check(section, "table types"))
        #expect(types.outcome == .fail && types.detail == "prices.amount is DECIMAL(10,2) (read as 255-character text)")
        let views = try #require(Self.check(section, "views"))
        #expect(views.outcome == .fail)
        #expect(views.detail.contains("daily.day is an expression") && views.detail.contains("daily.runs is an expression"))
        #expect(!views.detail.contains("plain"), "a view of plain columns is fine")
        #expect(section.outcome == .fail)
    }

    @Test func diskSpaceCountsTheRunsOfTheLastWeek() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path + "/warehouse.db"
        let warehouse = try SQLiteWarehouse.open(path: path, now: { fixedNow })
        let run = try await warehouse.beginRun(job: "devices", trigger: .manual)
        try await warehouse.finishRun(RunEnd(runID: run, status: .succeeded, rowsWritten: 10,
                                             requests: 3, bytesRead: 5_000_000))
        await warehouse.close()
        let space = try #require(Self.check(WarehouseDoctor.examine(path: path, now: fixedNow), "disk space"))
        #expect(space.detail.contains("1 run read 4.8 MiB"), "\(space.detail)")
    }

    @Test func aFileThatIsNotADatabaseFails() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path + "/warehouse.db"
        try "not a database at all, just text long enough to have a header".write(toFile: path, atomically: true, encoding: .utf8)
        let section = WarehouseDoctor.examine(path: path, now: fixedNow)
        #expect(Self.check(section, "warehouse")?.outcome == .fail, "\(section.text(redactor: Redactor()))")
    }

    @Test func aMissingFolderFailsWithMkdir() {
        let section = WarehouseDoctor.examine(path: "/nonexistent-sluice-folder/warehouse.db", now: fixedNow)
        #expect(section.checks.count == 1 && section.checks[0].fix?.contains("mkdir -p /nonexistent-sluice-folder") == true)
    }
}
