#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import SluiceCore

extension Warehouse {
    /// Writes a consistent, read-only copy of the warehouse at `source` to `destination`, for readers on a
    /// network share where WAL cannot work (design.md §4).
    ///
    /// `VACUUM INTO` runs on a separate read-only connection, so it copies the last committed state (a unit
    /// still open is not in it) while the writer carries on. The copy is written under a hidden temporary
    /// name in the destination's folder, made read-only (0440), flushed, and renamed over `destination`:
    /// a reader opens either the previous copy or the new one, never a half-written file. The copy is in
    /// rollback-journal mode, so readers need no `-shm` file beside it.
    public static func publishCopy(of source: String, to destination: String) throws {
        let slash = destination.lastIndex(of: "/")
        let folder = slash.map { String(destination[..<$0]) } ?? "."
        let name = slash.map { String(destination[destination.index(after: $0)...]) } ?? destination
        let temporary = (folder.isEmpty ? "" : folder + "/") + ".\(name).publishing-\(getpid())"
        let step = "publish a copy to \(destination)"
        unlink(temporary)
        do {
            let database = try SQLiteDatabase(path: source, readOnly: true)
            defer { database.close() }
            try database.prepare("VACUUM INTO ?").run([.text(temporary)])
        } catch {
            unlink(temporary)
            throw SluiceError.warehouse(error, step: step)
        }
        do {
            try flushToDisk(temporary)
            guard chmod(temporary, 0o440) == 0 else { throw publishError("chmod \(temporary)") }
            guard rename(temporary, destination) == 0 else { throw publishError("rename to \(destination)") }
            try? flushToDisk(folder.isEmpty ? "/" : folder)
        } catch {
            unlink(temporary)
            throw error
        }
    }
}

/// fsync of a file or folder, so the renamed copy survives a power cut.
private func flushToDisk(_ path: String) throws {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw publishError("open \(path)") }
    defer { close(fd) }
    guard fsync(fd) == 0 else { throw publishError("fsync \(path)") }
}

private func publishError(_ what: String) -> SluiceError {
    SluiceError(.permanent, step: "publish", "\(what) failed: \(String(cString: strerror(errno)))")
}
