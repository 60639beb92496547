import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A serial executor backed by one thread of its own: an actor that uses it (``unownedExecutor``) runs its
/// methods there, never on Swift's cooperative pool.
///
/// The warehouse needs this: its SQLite calls block (a 5,000-row batch, the end-of-load commit, a WAL
/// checkpoint, `VACUUM INTO` for a published copy), and the cooperative pool has one thread per core, two on
/// a small server. On the pool those calls would stall HTTP and the scheduler of every other job; on this
/// thread they only wait for each other. (Dispatch's serial queues are executors only on Apple platforms.)
///
/// The thread ends when the executor is released (the owning actor is gone and no job is queued).
package final class SerialThreadExecutor: SerialExecutor {
    /// What the thread and the executor share; the thread keeps only this, so the executor can be released.
    private final class Queue: Sendable {
        let jobs = Mutex<(pending: [UnownedJob], stopped: Bool)>(([], false))
        let ready = DispatchSemaphore(value: 0)
    }

    private let queue = Queue()

    /// Starts the thread, named `name` (shown by `top -H` and in crash reports).
    ///
    /// `niceness` (Linux, 0...19) lowers the thread's CPU priority: background work such as the published copy
    /// then takes only the CPU that HTTP, the scheduler and the warehouse's own writes leave over, instead of
    /// an equal share of a two-core server. Raising priority (a negative value) is not offered.
    package init(name: String, niceness: Int32 = 0) {
        let queue = self.queue
        let executor = UnownedSerialExecutor(ordinary: self)
        let niceness = min(max(niceness, 0), 19)
        let thread = Thread {
            #if os(Linux)
            Self.nameCurrentThread(name)
            // On Linux the nice value belongs to the thread, and `who` 0 names the calling thread. Lowering
            // priority needs no privilege; if it fails anyway the thread keeps the normal priority.
            if niceness > 0 { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness) }
            #endif
            while true {
                queue.ready.wait()
                guard let job = queue.jobs.withLock({ state -> UnownedJob? in
                    state.pending.isEmpty ? nil : state.pending.removeFirst()
                }) else {
                    if queue.jobs.withLock({ $0.stopped }) { return }
                    continue
                }
                job.runSynchronously(on: executor)
            }
        }
        thread.start()
    }

    #if os(Linux)
    /// Names the calling thread (up to 15 bytes) by writing its `comm`: Glibc's `pthread_setname_np` is not
    /// visible to Swift, and Foundation's `Thread.name` did not reliably reach the kernel before the first job.
    private static func nameCurrentThread(_ name: String) {
        let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
    #endif

    deinit {
        queue.jobs.withLock { $0.stopped = true }
        queue.ready.signal()
    }

    package func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        queue.jobs.withLock { $0.pending.append(unowned) }
        queue.ready.signal()
    }

    package func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }
}
