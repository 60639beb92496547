package import Logging
import SluiceCore

/// Publishes a read-only copy of the warehouse after successful runs (`sluice daemon --publish PATH`).
///
/// An actor on a thread of its own: `VACUUM INTO` of a large warehouse blocks for seconds, which on Swift's
/// cooperative pool would stall every job's HTTP and the scheduler; and two runs that finish together publish
/// one after the other. The thread runs at a lower CPU priority (nice 10): the copy is background work and
/// takes the CPU the jobs leave over, so their pace holds while it runs. A failed publish is logged and does not fail the run: the data is safe in the
/// warehouse, and the next successful run publishes again.
package actor SQLitePublisher: WarehousePublisher {
    private let executor = SerialThreadExecutor(name: "sluice-publisher", niceness: 10)
    let warehousePath: String
    /// Where the copy goes (e.g. a folder exported over SMB).
    package let destination: String
    let logger: Logger

    package nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    package init(warehousePath: String, destination: String, logger: Logger) {
        self.warehousePath = warehousePath
        self.destination = destination
        self.logger = logger
    }

    package func publish(after job: String) {
        _ = publishNow(after: job)
    }

    /// Writes the copy; returns false (after logging why) when it could not.
    @discardableResult
    package func publishNow(after job: String) -> Bool {
        do {
            try SQLiteWarehouse.publishCopy(of: warehousePath, to: destination)
            logger.debug("published a read-only copy", metadata: ["job.name": "\(job)", "publish.path": "\(destination)"])
            return true
        } catch {
            logger.error("could not publish the read-only copy: \(error)",
                         metadata: ["job.name": "\(job)", "publish.path": "\(destination)"])
            return false
        }
    }
}
