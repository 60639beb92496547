#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import SluiceCore

/// An exclusive, per-job lock held for as long as a process runs the job.
///
/// It is an `flock(2)` on a small file beside the warehouse (`<warehouse>.locks/<job>.lock`). The kernel drops the
/// lock when the process dies, even by SIGKILL, so a process that gets the lock knows that any run of that job still
/// marked `running` belongs to a process that is gone: it can be marked `abandoned`. Two processes (the daemon and
/// an operator's `sluice run`) can therefore never run the same job at once.
package final class JobLock: Sendable {
    private let fd: Int32
    package let job: String

    private init(fd: Int32, job: String) {
        self.fd = fd
        self.job = job
    }

    deinit { close(fd) }

    /// The lock directory for a warehouse path.
    package static func directory(forWarehouse path: String) -> String { path + ".locks" }

    /// Takes the lock without waiting; nil when another process holds it.
    ///
    /// Neither the lock folder nor the lock file is followed when it is a symbolic link: a link planted there
    /// would make Sluice create or open a file of someone else's choosing.
    package static func tryAcquire(job: String, warehouse: String) throws -> JobLock? {
        let dir = directory(forWarehouse: warehouse)
        if mkdir(dir, 0o750) != 0, errno != EEXIST {
            throw lockError(job, errno, "cannot create the lock folder \(dir)")
        }
        let folder = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard folder >= 0 else {
            let code = errno
            throw lockError(job, code, code == ELOOP || code == ENOTDIR
                ? "the lock folder \(dir) is not a folder (a symbolic link?); remove it" : "cannot open the lock folder \(dir)")
        }
        defer { close(folder) }
        let name = job + ".lock"
        let fd = openat(folder, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            let code = errno
            throw lockError(job, code, code == ELOOP
                ? "the lock file \(dir)/\(name) is a symbolic link; remove it" : "cannot open the lock file \(dir)/\(name)")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            close(fd)
            return nil
        }
        return JobLock(fd: fd, job: job)
    }

    /// Runs `body` while holding `job`'s lock; nil (without running `body`) when another process holds it.
    package static func withLock<T>(job: String, warehouse: String, isolation: isolated (any Actor)? = #isolation,
                                   _ body: () async throws -> T) async throws -> T? {
        guard let lock = try tryAcquire(job: job, warehouse: warehouse) else { return nil }
        defer { lock.release() }
        return try await body()
    }

    /// Releases the lock now (it is also released when the object goes away).
    func release() {
        flock(fd, LOCK_UN)
    }

    private static func lockError(_ job: String, _ code: Int32, _ what: String) -> SluiceError {
        SluiceError(.config, job: job, step: "lock", "\(what): \(String(cString: strerror(code)))")
    }
}
