import Dispatch
import Foundation
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
    package init(name: String) {
        let queue = self.queue
        let executor = UnownedSerialExecutor(ordinary: self)
        let thread = Thread {
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
        thread.name = name
        thread.start()
    }

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
