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

    /// Opens the warehouse for writing.
    func open() throws -> any Warehouse { try SQLiteWarehouse.open(path: path) }
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
