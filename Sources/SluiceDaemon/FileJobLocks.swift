import SluiceCore

/// Job locks as `flock` files beside a warehouse file (`<warehouse>.locks/<job>.lock`, see ``JobLock``).
public struct FileJobLocks: JobLocks {
    public let warehousePath: String

    public init(warehousePath: String) {
        self.warehousePath = warehousePath
    }

    public func withLock<T: Sendable>(job: String, _ body: @Sendable () async throws -> T) async throws -> T? {
        try await JobLock.withLock(job: job, warehouse: warehousePath, body)
    }
}
