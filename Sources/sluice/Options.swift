import ArgumentParser
import Foundation
import SluiceCore
import SluiceWarehouse

/// `--jobs DIR` with the `SLUICE_JOBS` environment default.
struct JobsOption: ParsableArguments {
    @Option(name: .long, help: "Folder of job files (default: $SLUICE_JOBS or ./jobs).")
    var jobs: String?

    var path: String { jobs ?? ProcessInfo.processInfo.environment["SLUICE_JOBS"].nonEmpty ?? "./jobs" }
}

/// `--warehouse PATH` with the `SLUICE_WAREHOUSE` environment default.
struct WarehouseOption: ParsableArguments {
    @Option(name: .long, help: "The SQLite warehouse file (default: $SLUICE_WAREHOUSE or ./warehouse.db).")
    var warehouse: String?

    var path: String { warehouse ?? ProcessInfo.processInfo.environment["SLUICE_WAREHOUSE"].nonEmpty ?? "./warehouse.db" }

    /// Opens the warehouse for writing; a path that cannot be a warehouse is a usage error (exit 2).
    func open() throws -> any Warehouse {
        do { return try SQLiteWarehouse.open(path: path) } catch { throw CommandSupport.usageError(error) }
    }

    /// Opens the warehouse read-only; nil when there is no file yet (nothing has run). A path that cannot be a
    /// warehouse (a missing folder, a folder, another kind of file) is a usage error (exit 2).
    func openForReadingIfPresent() throws -> SQLiteWarehouse? {
        guard FileManager.default.fileExists(atPath: path) else {
            if let problem = WarehousePath.problem(at: path, forWriting: false) {
                throw CommandSupport.usageError("open warehouse \(path) for reading: \(problem)")
            }
            return nil
        }
        do { return try SQLiteWarehouse.openForReading(path: path) } catch { throw CommandSupport.usageError(error) }
    }
}

/// `--log-format` and `--verbose`.
struct LogOptions: ParsableArguments {
    @Option(name: .long, help: "Log line format: text or json.")
    var logFormat: String = "text"

    @Flag(name: .shortAndLong, help: "Log every page (debug level).")
    var verbose = false

    func validate() throws {
        guard ["text", "json"].contains(logFormat) else {
            throw ValidationError("--log-format must be 'text' or 'json'")
        }
    }
}

extension Optional where Wrapped == String {
    /// nil for nil or an empty string.
    var nonEmpty: String? {
        guard let s = self, !s.isEmpty else { return nil }
        return s
    }
}
