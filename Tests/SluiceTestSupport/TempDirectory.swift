import Foundation

/// A fresh directory under the system temp folder, removed by `remove()`.
public struct TempDirectory: Sendable {
    public let path: String

    public init(_ prefix: String = "sluice-e2e") throws {
        path = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path + "/jobs", withIntermediateDirectories: true)
    }

    public var jobs: String { path + "/jobs" }
    public var warehouse: String { path + "/warehouse.db" }

    /// Writes a job file into `jobs/`.
    public func writeJob(_ name: String, _ yaml: String) throws {
        try yaml.write(toFile: jobs + "/\(name).yaml", atomically: true, encoding: .utf8)
    }

    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}
