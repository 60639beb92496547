import Foundation
import Logging
import SluiceCore
@testable import SluiceWarehouse
import Testing


/// `--publish`: a consistent, read-only, rollback-journal copy replaced atomically.
@Suite("publish")
struct PublishTests {
    @Test func aPublishedCopyIsReadOnlyInRollbackModeAndHoldsTheCommittedRuns() async throws {
        let dir = NSTemporaryDirectory() + "sluice-publish-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir + "/share", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let source = dir + "/warehouse.db"
        let destination = dir + "/share/warehouse.db"
        let warehouse = try SQLiteWarehouse.open(path: source)
        let run = try await warehouse.beginRun(job: "feed", trigger: .manual)
        try await warehouse.finishRun(id: run, status: .succeeded, rowsWritten: 5)

        try SQLiteWarehouse.publishCopy(of: source, to: destination)
        // A second publish replaces the first (rename over an existing read-only file).
        let second = try await warehouse.beginRun(job: "feed", trigger: .manual)
        try await warehouse.finishRun(id: second, status: .failed)
        let publisher = SQLitePublisher(warehousePath: source, destination: destination,
                                  logger: .init(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }))
        #expect(await publisher.publishNow(after: "feed"))
        await warehouse.close()

        let attributes = try FileManager.default.attributesOfItem(atPath: destination)
        #expect((attributes[.posixPermissions] as? Int) == 0o440)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: destination))
        #expect(bytes.prefix(15) == Data("SQLite format 3".utf8))
        // File format bytes 18 and 19: 1 = rollback journal (2 would be WAL, which needs a -shm beside it).
        #expect(bytes[18] == 1 && bytes[19] == 1)
        // No temporary file is left behind, and no WAL files were created beside the copy.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir + "/share")
        #expect(leftovers == ["warehouse.db"])

        try FileManager.default.copyItem(atPath: destination, toPath: dir + "/check.db")
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: dir + "/check.db")
        let check = try SQLiteWarehouse.open(path: dir + "/check.db")
        #expect(try await check.integrityCheck() == "ok")
        #expect(try await check.recentRuns(job: "feed").map(\.status) == [.failed, .succeeded])
        await check.close()
    }

    @Test func publishingToAMissingFolderFailsWithoutLeavingFiles() async throws {
        let dir = NSTemporaryDirectory() + "sluice-publish-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let warehouse = try SQLiteWarehouse.open(path: dir + "/warehouse.db")
        await warehouse.close()
        #expect(throws: SluiceError.self) {
            try SQLiteWarehouse.publishCopy(of: dir + "/warehouse.db", to: dir + "/missing/copy.db")
        }
    }
}
