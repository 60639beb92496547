import Foundation

/// A fresh directory under the system temp folder, removed by `remove()`.
package struct TempDirectory: Sendable {
    package let path: String

    package init(_ prefix: String = "sluice-e2e") throws {
        path = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path + "/jobs", withIntermediateDirectories: true)
    }

    package var jobs: String { path + "/jobs" }
    package var warehouse: String { path + "/warehouse.db" }

    /// Writes a job file into `jobs/`.
    package func writeJob(_ name: String, _ yaml: String) throws {
        try yaml.write(toFile: jobs + "/\(name).yaml", atomically: true, encoding: .utf8)
    }

    package func remove() { try? FileManager.default.removeItem(atPath: path) }
}
