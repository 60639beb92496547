import SluiceCore

/// Job locks as `flock` files beside a warehouse file (`<warehouse>.locks/<job>.lock`, see ``JobLock``).
package struct FileJobLocks: JobLocks {
    package let warehousePath: String

    package init(warehousePath: String) {
        self.warehousePath = warehousePath
    }

    package func withLock<T: Sendable>(job: String, _ body: @Sendable () async throws -> T) async throws -> T? {
        try await JobLock.withLock(job: job, warehouse: warehousePath, body)
    }
}
