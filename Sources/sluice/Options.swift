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

/// `--warehouse PATH|URL` with the `SLUICE_WAREHOUSE` environment default: a SQLite file, or a PostgreSQL URL
/// (`postgresql://USER@HOST:PORT/DB`, see WarehouseOption+Postgres.swift) with `--warehouse-schema`.
struct WarehouseOption: ParsableArguments {
    @Option(name: .long, help: """
        The warehouse: a SQLite file, or postgresql://USER@HOST:PORT/DB?sslmode=verify-full with the password in \
        $SLUICE_WAREHOUSE_PASSWORD (default: $SLUICE_WAREHOUSE or ./warehouse.db).
        """)
    var warehouse: String?

    @Option(name: .long, help: "PostgreSQL only: the schema of the data and system tables (default: $SLUICE_WAREHOUSE_SCHEMA or public).")
    var warehouseSchema: String?

    var path: String { warehouse ?? ProcessInfo.processInfo.environment["SLUICE_WAREHOUSE"].nonEmpty ?? "./warehouse.db" }

    func validate() throws { try validatePostgres() }

    /// Opens the warehouse for writing; a path that cannot be a warehouse is a usage error (exit 2). PostgreSQL
    /// connects on first use (`openWithLocks()` connects at once).
    func open() throws -> any Warehouse {
        if isPostgres { return try openPostgres() }
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
