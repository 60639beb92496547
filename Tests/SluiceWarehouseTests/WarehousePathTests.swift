import Foundation
import SluiceWarehouse
import Testing

/// A warehouse path that cannot be opened is explained with its likely fix, decided from plain facts.
@Suite("warehouse path problems")
struct WarehousePathTests {
    /// A writable folder without the file: a new warehouse, nothing wrong.
    static let fine = WarehousePath.Facts(folder: "/srv/sluice", folderExists: true, folderWritable: true, pathExists: false,
                                          pathIsFolder: false, fileReadable: false, header: [])

    @Test func aMissingFolderSaysHowToCreateIt() {
        var facts = Self.fine
        facts.folderExists = false
        facts.folderWritable = false
        let problem = WarehousePath.problem(facts, path: "/srv/sluice/w.db", forWriting: true)
        #expect(problem == "the folder /srv/sluice does not exist; create it (mkdir -p /srv/sluice) or give another --warehouse")
    }

    @Test func aFolderGivenAsTheFileSuggestsAFileInside() {
        var facts = Self.fine
        facts.pathExists = true
        facts.pathIsFolder = true
        let problem = WarehousePath.problem(facts, path: "/srv/sluice", forWriting: false)
        #expect(problem == "/srv/sluice is a folder; --warehouse names the database file, e.g. --warehouse /srv/sluice/warehouse.db")
    }

    @Test func aReadOnlyFolderIsAProblemForWritingOnly() {
        var facts = Self.fine
        facts.folderWritable = false
        #expect(WarehousePath.problem(facts, path: "/srv/sluice/w.db", forWriting: true)?
            .hasPrefix("the folder /srv/sluice is not writable by this user") == true)
        #expect(WarehousePath.problem(facts, path: "/srv/sluice/w.db", forWriting: false) == nil)
    }

    @Test func aFileThatIsNotSQLiteIsNamed() {
        var facts = Self.fine
        facts.pathExists = true
        facts.fileReadable = true
        facts.header = Array("name,value\n1,2\n".utf8)
        #expect(WarehousePath.problem(facts, path: "/srv/sluice/w.db", forWriting: true)?
            .hasPrefix("/srv/sluice/w.db is not an SQLite database") == true)
        facts.header = Array("SQLite format 3\u{0}".utf8)
        #expect(WarehousePath.problem(facts, path: "/srv/sluice/w.db", forWriting: true) == nil)
        facts.header = []  // an empty file becomes a new warehouse
        #expect(WarehousePath.problem(facts, path: "/srv/sluice/w.db", forWriting: true) == nil)
    }

    @Test func aFileWhereTheFolderShouldBeIsNamed() throws {
        let file = NSTemporaryDirectory() + "sluice-not-a-folder-\(UUID().uuidString.prefix(8))"
        #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let path = file + "/warehouse.db"
        #expect(WarehousePath.problem(at: path, forWriting: true)
                == "\(file) is a file, not a folder, so \(path) cannot be created; give a path inside a folder")
    }
}
