import Foundation

/// A fresh directory under the system temp folder, removed by `remove()`.
struct TempDirectory {
    let path: String

    init(_ prefix: String = "sluice-odbc") throws {
        path = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path + "/jobs", withIntermediateDirectories: true)
    }

    var jobs: String { path + "/jobs" }
    var warehouse: String { path + "/warehouse.db" }

    /// Writes a job file into `jobs/`.
    func writeJob(_ name: String, _ yaml: String) throws {
        try yaml.write(toFile: jobs + "/\(name).yaml", atomically: true, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
