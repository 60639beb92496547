import Dispatch
import Foundation
import Glibc
import SluiceCore
import Testing

/// An actor on ``SerialThreadExecutor`` runs on its own named thread, blocking there never holds a thread of
/// Swift's cooperative pool, and a niceness applies to that thread only.
@Suite("serial thread executor")
struct SerialThreadExecutorTests {
    actor OnOwnThread {
        private let executor: SerialThreadExecutor
        nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

        init(name: String, niceness: Int32 = 0) {
            executor = SerialThreadExecutor(name: name, niceness: niceness)
        }

        /// The name of the thread this runs on, and its nice value.
        func whereAmI() -> (name: String, nice: Int32) {
            let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
            return (name.trimmingCharacters(in: .whitespacesAndNewlines), getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0))
        }

        /// Blocks this actor's thread until `semaphore` is signalled (at most `seconds`); whether it was.
        func block(on semaphore: DispatchSemaphore, seconds: Double) -> Bool {
            semaphore.wait(timeout: .now() + seconds) == .success
        }
    }

    @Test func anActorRunsOnItsOwnNamedThreadAtItsNiceness() async {
        let niceBefore = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        let plain = OnOwnThread(name: "sluice-test-a")
        let niced = OnOwnThread(name: "sluice-test-b", niceness: 10)
        let a = await plain.whereAmI()
        let b = await niced.whereAmI()
        #expect(a.name == "sluice-test-a")
        #expect(b.name == "sluice-test-b")
        #expect(b.nice == min(19, a.nice + 10) || b.nice == 10, "the niced thread: \(b.nice), the plain one: \(a.nice)")
        // The nice value belongs to that thread: the process's other threads keep theirs.
        #expect(a.nice == niceBefore)
        #expect(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) == niceBefore)
    }

    /// More actors block at once than the pool has threads; a task on the pool still runs, and is what
    /// releases them. Were they on the pool, it could never run and every wait would time out.
    @Test func blockingOnTheActorsThreadsLeavesThePoolFree() async {
        let count = ProcessInfo.processInfo.activeProcessorCount + 2
        let actors = (0..<count).map { OnOwnThread(name: "sluice-block-\($0)") }
        let semaphore = DispatchSemaphore(value: 0)
        let released = await withTaskGroup(of: Bool.self) { group in
            for actor in actors {
                group.addTask { await actor.block(on: semaphore, seconds: 30) }
            }
            group.addTask {
                // Runs on the pool while every actor blocks.
                try? await Task.sleep(for: .milliseconds(200))
                for _ in actors { semaphore.signal() }
                return true
            }
            var all: [Bool] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(released.count == count + 1)
        #expect(released.allSatisfy { $0 })
    }
}
