#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a warehouse path cannot be opened, said with the likely fix: a missing folder, a folder given as the
/// file, a folder this user cannot write, a file that is not an SQLite database.
///
/// ``problem(_:path:forWriting:)`` decides from plain facts (tested without files); ``problem(at:forWriting:)``
/// gathers the facts of a real path first.
package enum WarehousePath {
    /// What the file system says about a warehouse path.
    package struct Facts: Sendable, Equatable {
        /// The folder part of the path (`.` for a bare name).
        package var folder: String
        package var folderExists: Bool
        /// The folder part names a file instead of a folder.
        package var folderIsFile = false
        package var folderWritable: Bool
        package var pathExists: Bool
        package var pathIsFolder: Bool
        package var fileReadable: Bool
        /// The first bytes of the file, when it exists and can be read (an empty file is a new warehouse).
        package var header: [UInt8]

        package init(folder: String, folderExists: Bool, folderIsFile: Bool = false, folderWritable: Bool, pathExists: Bool,
                    pathIsFolder: Bool, fileReadable: Bool, header: [UInt8]) {
            self.folder = folder
            self.folderExists = folderExists
            self.folderIsFile = folderIsFile
            self.folderWritable = folderWritable
            self.pathExists = pathExists
            self.pathIsFolder = pathIsFolder
            self.fileReadable = fileReadable
            self.header = header
        }
    }

    /// The 16 bytes every SQLite database file starts with.
    static let sqliteHeader = Array("SQLite format 3\u{0}".utf8)

    /// What is wrong with `path`, or nil when nothing visible is (the open's own error says the rest).
    package static func problem(_ facts: Facts, path: String, forWriting: Bool) -> String? {
        if path.isEmpty { return "the warehouse path is empty; give a file, e.g. --warehouse ./warehouse.db" }
        if facts.folderIsFile {
            return "\(facts.folder) is a file, not a folder, so \(path) cannot be created; give a path inside a folder"
        }
        if !facts.folderExists {
            return "the folder \(facts.folder) does not exist; create it (mkdir -p \(facts.folder)) or give another --warehouse"
        }
        if facts.pathIsFolder {
            let example = path.hasSuffix("/") ? path + "warehouse.db" : path + "/warehouse.db"
            return "\(path) is a folder; --warehouse names the database file, e.g. --warehouse \(example)"
        }
        if facts.pathExists, !facts.fileReadable {
            return "\(path) cannot be read by this user; fix its permissions or run as the user that owns it"
        }
        if facts.pathExists, !facts.header.isEmpty, !facts.header.starts(with: sqliteHeader) {
            return "\(path) is not an SQLite database (another kind of file has that name); give a new path or the "
                + "warehouse file itself"
        }
        if forWriting, !facts.folderWritable {
            // SQLite writes `-wal` and `-shm` files beside the warehouse, so the folder must be writable even
            // when the file exists.
            return "the folder \(facts.folder) is not writable by this user (SQLite keeps -wal and -shm files beside "
                + "the warehouse); make it writable or give a folder you can write to"
        }
        return nil
    }

    /// ``problem(_:path:forWriting:)`` for the real `path`.
    package static func problem(at path: String, forWriting: Bool) -> String? {
        problem(facts(of: path), path: path, forWriting: forWriting)
    }

    /// The facts of `path`, read from the file system.
    package static func facts(of path: String) -> Facts {
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        let folder: String
        if let slash = trimmed.lastIndex(of: "/") {
            folder = slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
        } else {
            folder = "."
        }
        var folderInfo = stat()
        let folderFound = stat(folder, &folderInfo) == 0
        let folderIsFolder = folderFound && (folderInfo.st_mode & S_IFMT) == S_IFDIR
        var info = stat()
        let exists = stat(path, &info) == 0
        let isFolder = exists && (info.st_mode & S_IFMT) == S_IFDIR
        var header: [UInt8] = []
        var readable = false
        if exists, !isFolder {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            if fd >= 0 {
                readable = true
                header = [UInt8](repeating: 0, count: 16)
                let n = read(fd, &header, header.count)
                header = n > 0 ? Array(header[..<n]) : []
                _ = close(fd)
            }
        }
        return Facts(folder: folder, folderExists: folderIsFolder, folderIsFile: folderFound && !folderIsFolder,
                     folderWritable: folderIsFolder && access(folder, W_OK) == 0, pathExists: exists,
                     pathIsFolder: isFolder, fileReadable: readable, header: header)
    }
}
