import ArgumentParser
import Foundation
import Logging
import SluiceCore
import SluiceDaemon
import SluicePostgres
import SluiceWarehouse

/// The PostgreSQL side of `--warehouse`: a `postgresql://` URL (or `SLUICE_WAREHOUSE`) selects it, the password
/// comes from `SLUICE_WAREHOUSE_PASSWORD` (or a file or credential, see ``PostgresPassword``), never the URL.
extension WarehouseOption {
    /// Whether the warehouse is PostgreSQL rather than a SQLite file.
    var isPostgres: Bool { PostgresLocation.isPostgresURL(path) }

    /// `--warehouse-schema`, `SLUICE_WAREHOUSE_SCHEMA` or `public`.
    var schema: String {
        warehouseSchema ?? ProcessInfo.processInfo.environment["SLUICE_WAREHOUSE_SCHEMA"].nonEmpty ?? "public"
    }

    /// Checks the URL and the schema while the arguments are parsed (bad usage: exit 2).
    func validatePostgres() throws {
        guard isPostgres else {
            if warehouseSchema != nil {
                throw ValidationError("--warehouse-schema applies to a PostgreSQL warehouse (--warehouse postgresql://…) only")
            }
            return
        }
        do {
            _ = try PostgresConnector(location: try PostgresLocation(parsing: path), schema: schema, password: nil,
                                      logger: Logger(label: "sluice.postgres"))
        } catch {
            throw ValidationError(error.message)
        }
    }

    /// A connector for the URL, with the password read from its secret reference.
    func postgresConnector() throws -> PostgresConnector {
        let location = try PostgresLocation(parsing: path)
        return try PostgresConnector(location: location, schema: schema, password: try PostgresPassword.resolve(),
                                     logger: Logger(label: "sluice.postgres"))
    }

    /// The PostgreSQL warehouse; it connects and migrates on first use.
    func openPostgres() throws -> any Warehouse {
        PostgresWarehouse(connector: try postgresConnector(), logger: Logger(label: "sluice.warehouse"))
    }

    /// The warehouse and the job locks that go with it, the warehouse already connected and migrated (so a wrong
    /// URL or password fails here, once, rather than in every run): advisory locks inside PostgreSQL, shared by
    /// every instance on the same warehouse, or lock files beside a SQLite file.
    func openWithLocks() async throws -> (warehouse: any Warehouse, locks: any JobLocks) {
        guard isPostgres else { return (try open(), FileJobLocks(warehousePath: path)) }
        let connector = try postgresConnector()
        let warehouse = PostgresWarehouse(connector: connector, logger: Logger(label: "sluice.warehouse"))
        do {
            try await warehouse.prepare()
        } catch {
            await warehouse.close()
            throw error
        }
        return (warehouse, PostgresJobLocks(connector: connector, logger: Logger(label: "sluice.locks")))
    }

    /// For `sluice status`: the PostgreSQL warehouse opened for reading, nil when nothing has run there yet.
    func openPostgresForReading() async throws -> PostgresWarehouse? {
        try await PostgresWarehouse.openForReading(connector: try postgresConnector(), logger: Logger(label: "sluice.warehouse"))
    }

    /// A read-only connection of its own (the status page's), or nil when none can be opened.
    func openReaderIfPossible() async -> (any Warehouse)? {
        if isPostgres { return try? await openPostgresForReading() }
        return try? SQLiteWarehouse.openForReading(path: path)
    }

    /// Where the warehouse is, as it may be shown (a URL never holds a password: one with a password is refused).
    var displayName: String {
        guard isPostgres, let location = try? PostgresLocation(parsing: path) else { return path }
        return "\(location) schema \(schema)"
    }
}
