import Logging
import SluiceWarehouse

/// Publishes a read-only copy of the warehouse after successful runs (`sluice daemon --publish PATH`).
///
/// An actor, so two runs that finish together publish one after the other, never into the same
/// temporary file at once. A failed publish is logged and does not fail the run: the data is safe in
/// the warehouse, and the next successful run publishes again.
public actor Publisher {
    let warehousePath: String
    /// Where the copy goes (e.g. a folder exported over SMB).
    public let destination: String
    let logger: Logger

    public init(warehousePath: String, destination: String, logger: Logger) {
        self.warehousePath = warehousePath
        self.destination = destination
        self.logger = logger
    }

    /// Writes the copy; returns false (after logging why) when it could not.
    @discardableResult
    public func publish(after job: String) -> Bool {
        do {
            try Warehouse.publishCopy(of: warehousePath, to: destination)
            logger.debug("published a read-only copy", metadata: ["job.name": "\(job)", "publish.path": "\(destination)"])
            return true
        } catch {
            logger.error("could not publish the read-only copy: \(error)",
                         metadata: ["job.name": "\(job)", "publish.path": "\(destination)"])
            return false
        }
    }
}
