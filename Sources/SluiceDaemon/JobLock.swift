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
public final class JobLock: Sendable {
    private let fd: Int32
    public let job: String

    private init(fd: Int32, job: String) {
        self.fd = fd
        self.job = job
    }

    deinit { close(fd) }

    /// The lock directory for a warehouse path.
    public static func directory(forWarehouse path: String) -> String { path + ".locks" }

    /// Takes the lock without waiting; nil when another process holds it.
    public static func tryAcquire(job: String, warehouse: String) throws -> JobLock? {
        let dir = directory(forWarehouse: warehouse)
        if mkdir(dir, 0o750) != 0, errno != EEXIST {
            throw SluiceError(.configuration, job: job, step: "lock", "cannot create lock directory \(dir): errno \(errno)")
        }
        let path = dir + "/" + job + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            throw SluiceError(.configuration, job: job, step: "lock", "cannot open lock file \(path): errno \(errno)")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            close(fd)
            return nil
        }
        return JobLock(fd: fd, job: job)
    }
}
