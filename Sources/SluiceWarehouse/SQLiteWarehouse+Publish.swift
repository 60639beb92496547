#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import SluiceCore

extension SQLiteWarehouse {
    /// Writes a consistent, read-only copy of the warehouse at `source` to `destination`, for readers on a
    /// network share where WAL cannot work.
    ///
    /// `VACUUM INTO` runs on a separate read-only connection, so it copies the last committed state while the
    /// writer carries on. The copy is written inside a private folder made for it in the destination's folder
    /// (`mkdtemp`: a random name, mode 0700, so nobody else sharing that folder can plant a file or a link in
    /// its way), made read-only (0440) through its descriptor, flushed, and renamed over `destination` with
    /// `renameat` (which replaces the name, never follows a link there): a reader opens either the previous
    /// copy or the new one, never a half-written file. The copy is in rollback-journal mode, so readers need
    /// no `-shm` file beside it.
    package static func publishCopy(of source: String, to destination: String) throws {
        let folder = FileSafety.folder(of: destination)
        let name = FileSafety.name(of: destination)
        let step = "publish a copy to \(destination)"
        var template = Array((folder + "/.sluice-publish-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw publishError("create a private folder in \(folder)")
        }
        let privateFolder = String(cString: made)
        let copy = privateFolder + "/copy.db"
        defer {
            unlink(copy)
            rmdir(privateFolder)
        }
        do {
            let database = try SQLiteDatabase(path: source, readOnly: true)
            defer { database.close() }
            try database.prepare("VACUUM INTO ?").run([.text(copy)])
        } catch {
            throw SluiceError.warehouse(error, step: step)
        }
        let fd = Glibc.open(copy, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw publishError("open \(copy)") }
        defer { Glibc.close(fd) }
        guard fchmod(fd, 0o440) == 0 else { throw publishError("chmod the copy") }
        guard fsync(fd) == 0 else { throw publishError("fsync the copy") }
        let from = Glibc.open(privateFolder, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard from >= 0 else { throw publishError("open \(privateFolder)") }
        defer { Glibc.close(from) }
        let to = Glibc.open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard to >= 0 else { throw publishError("open \(folder)") }
        defer { Glibc.close(to) }
        guard renameat(from, "copy.db", to, name) == 0 else { throw publishError("rename the copy to \(destination)") }
        _ = fsync(to)
    }
}

private func publishError(_ what: String) -> SluiceError {
    SluiceError(.warehouse, step: "publish", "\(what) failed: \(String(cString: strerror(errno)))")
}
