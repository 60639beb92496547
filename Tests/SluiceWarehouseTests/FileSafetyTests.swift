import Foundation
import SluiceCore
import Testing
@testable import SluiceWarehouse

/// Paths are compared by what they are on disk, and nothing is followed through a planted link.
@Suite struct FileSafetyTests {
    @Test func everySpellingOfTheWarehouseIsRefusedAsThePublishDestination() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let warehouse = dir.path + "/w.db"
        _ = FileManager.default.createFile(atPath: warehouse, contents: Data())
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/alias", withDestinationPath: dir.path)
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/link.db", withDestinationPath: warehouse)
        for spelling in [warehouse, dir.path + "/./w.db", dir.path + "//w.db", dir.path + "/alias/w.db",
                         dir.path + "/link.db", dir.path + "/alias/w.db-wal"] {
            #expect(FileSafety.publishConflict(publish: spelling, warehouse: warehouse) != nil, "\(spelling)")
        }
        #expect(FileSafety.publishConflict(publish: dir.path + "/copy.db", warehouse: warehouse) == nil)
        // The warehouse need not exist yet: the folder and the name still decide.
        #expect(FileSafety.publishConflict(publish: dir.path + "/alias/./new.db", warehouse: dir.path + "/new.db") != nil)
    }

    @Test func aSymbolicLinkAtTheWarehousePathIsRefused() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let real = dir.path + "/elsewhere.db"
        _ = try SQLiteWarehouse.open(path: real)
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/warehouse.db", withDestinationPath: real)
        #expect(throws: SluiceError.self) { try SQLiteWarehouse.open(path: dir.path + "/warehouse.db") }
    }

    @Test func aWorldWritableFolderIsWarnedAbout() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        #expect(FileSafety.folderWarning(forWarehouse: dir.path + "/w.db") == nil)
        chmod(dir.path, 0o777)
        #expect(FileSafety.folderWarning(forWarehouse: dir.path + "/w.db")?.contains("writable by every user") == true)
        chmod(dir.path, 0o770)
        #expect(FileSafety.folderWarning(forWarehouse: dir.path + "/w.db")?.contains("writable by its group") == true)
    }

    @Test func publishingIgnoresALinkPlantedWhereTheOldTemporaryNameWas() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let warehouse = try SQLiteWarehouse.open(path: dir.path + "/w.db")
        _ = try await warehouse.beginRun(job: "j", trigger: .manual)
        await warehouse.close()
        let victim = dir.path + "/victim"
        _ = FileManager.default.createFile(atPath: victim, contents: Data("keep".utf8))
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/.copy.db.publishing-\(getpid())",
                                                   withDestinationPath: victim)
        try SQLiteWarehouse.publishCopy(of: dir.path + "/w.db", to: dir.path + "/copy.db")
        #expect(FileManager.default.contents(atPath: victim) == Data("keep".utf8))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".sluice-publish") }
        #expect(leftovers.isEmpty)
        let copy = try FileManager.default.attributesOfItem(atPath: dir.path + "/copy.db")
        #expect((copy[.posixPermissions] as? Int) == 0o440)
    }

    @Test func aBatchWiderThanATableMayBeIsRefusedBeforeAnyDDL() async throws {
        try await withWarehouse { warehouse, _ in
            let columns = (0...Column.maxColumns).map { Column("c\($0)", .text) }
            let batch = Batch(target: TableTarget(table: "wide", mode: .upsert, primaryKey: ["c0"]), columns: columns,
                              rows: [columns.map { _ in .text("x") }], origin: "page 1")
            let runID = try await warehouse.beginRun(job: "wide", trigger: .manual)
            await #expect(throws: SluiceError.self) { _ = try await warehouse.commit(batch, job: "wide", runID: runID) }
        }
    }

    @Test func equalColumnNamesGetSuffixesInOrder() {
        var allocator = ColumnNameAllocator(taken: ["name"])
        let names = (0..<5).map { _ in allocator.allocate(for: "Name") }
        #expect(names == ["name_2", "name_3", "name_4", "name_5", "name_6"])
        var big = ColumnNameAllocator(taken: [])
        let many = (0..<20_000).map { _ in big.allocate(for: "Same") }
        #expect(Set(many).count == 20_000)
    }
}

@Suite struct LinkedFolderTests {
    @Test func aWarehouseInAFolderReachedThroughALinkOpens() async throws {
        // systemd's DynamicUser makes /var/lib/sluice a link to private/sluice: that must keep working.
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: dir.path + "/private/sluice", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/sluice", withDestinationPath: "private/sluice")
        let warehouse = try SQLiteWarehouse.open(path: dir.path + "/sluice/warehouse.db")
        _ = try await warehouse.beginRun(job: "j", trigger: .manual)
        await warehouse.close()
        #expect(FileManager.default.fileExists(atPath: dir.path + "/private/sluice/warehouse.db"))
        let reader = try SQLiteWarehouse.openForReading(path: dir.path + "/sluice/warehouse.db")
        #expect(try await reader.jobsWithRuns() == ["j"])
        await reader.close()
    }
}
