import Foundation
import Logging
import SluiceCore
import SluiceDaemon
import SluicePostgres

/// What the PostgreSQL benchmarks share: the server (`$SLUICE_BENCH_POSTGRES_URL`, else `$SLUICE_TEST_POSTGRES_URL`,
/// with the password in `$SLUICE_WAREHOUSE_PASSWORD` or `$SLUICE_TEST_POSTGRES_PASSWORD`), a schema per round, jobs
/// run through the real ForegroundRun/JobRunner path with the advisory job locks, and `psql` for the anchors.
struct PostgresBench {
    let location: PostgresLocation
    let password: String?
    let psql: String

    /// Whether a server is configured (`all` skips the PostgreSQL rows, saying so, when none is).
    static var isConfigured: Bool {
        let environment = ProcessInfo.processInfo.environment
        return environment["SLUICE_BENCH_POSTGRES_URL"] ?? environment["SLUICE_TEST_POSTGRES_URL"] != nil
    }

    /// Prints why a PostgreSQL benchmark did not run.
    static func announceSkip(_ name: String) {
        print("\(name): skipped, no PostgreSQL server (set SLUICE_BENCH_POSTGRES_URL and SLUICE_WAREHOUSE_PASSWORD)")
    }

    init() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["SLUICE_BENCH_POSTGRES_URL"] ?? environment["SLUICE_TEST_POSTGRES_URL"] else {
            throw BenchOptions.UsageError(description: """
                the PostgreSQL benchmarks need a server: set SLUICE_BENCH_POSTGRES_URL (postgresql://USER@HOST:PORT/DB) and \
                SLUICE_WAREHOUSE_PASSWORD, or eval "$(scripts/postgres-test-cluster.sh start)"
                """)
        }
        location = try PostgresLocation(parsing: url)
        password = environment["SLUICE_WAREHOUSE_PASSWORD"] ?? environment["SLUICE_TEST_POSTGRES_PASSWORD"]
        let candidates = [environment["SLUICE_BENCH_PSQL"]].compactMap { $0 }
            + ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
                .sorted { $0.compare($1, options: .numeric) == .orderedDescending }
                .map { "/usr/lib/postgresql/\($0)/bin/psql" }
            + ["/usr/bin/psql"]
        guard let psql = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw BenchOptions.UsageError(description: "no psql found (Debian: apt-get install postgresql-client)")
        }
        self.psql = psql
    }

    /// A connector to `schema`.
    func connector(schema: String) throws -> PostgresConnector {
        try PostgresConnector(location: location, schema: schema, password: password, logger: Self.quiet)
    }

    /// Runs `job` once into `schema`; fails unless it succeeded (or was unchanged when `allowUnchanged`).
    func run(_ job: JobDefinition, schema: String, environment: [String: String],
             allowUnchanged: Bool = false) async throws -> RunReport {
        let connector = try connector(schema: schema)
        let warehouse = PostgresWarehouse(connector: connector, logger: Self.quiet)
        try await warehouse.prepare()
        let run = ForegroundRun(warehouse: warehouse, locks: PostgresJobLocks(connector: connector, logger: Self.quiet),
                                secrets: SecretResolver(environment: environment), logger: Self.quiet)
        let reports = try await run.execute([job], trigger: .manual)
        await warehouse.close()
        guard let report = reports.first,
              report.status == .succeeded || (allowUnchanged && report.status == .unchanged) else {
            throw BenchOptions.UsageError(description: "the run failed: \(reports.map(\.summaryLine))")
        }
        return report
    }

    /// Runs `psql -c command` for each command (one session, stopping at the first error); returns the output.
    @discardableResult
    func psql(_ commands: [String]) throws -> String {
        var arguments = ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-U", location.user, "-d", location.database]
        if let folder = location.socketFolder {
            arguments += ["-h", folder, "-p", String(location.port)]
        } else {
            arguments += ["-h", location.host, "-p", String(location.port)]
        }
        for command in commands { arguments += ["-c", command] }
        var environment = ProcessInfo.processInfo.environment
        environment["PGPASSWORD"] = password
        environment["PGSSLMODE"] = location.sslMode.rawValue
        // DROP SCHEMA … CASCADE lists every object it drops as a NOTICE; the bench output needs none of them.
        environment["PGOPTIONS"] = "-c client_min_messages=warning"
        if let root = location.sslRootCert { environment["PGSSLROOTCERT"] = root }
        return try BenchProcess.output(psql, arguments, environment: environment, what: "psql")
    }

    /// Drops `schema` with everything in it.
    func dropSchema(_ schema: String) throws {
        try psql(["DROP SCHEMA IF EXISTS \"\(schema)\" CASCADE"])
    }

    /// A schema name for one round.
    static func schema(_ purpose: String) -> String {
        "bench_\(purpose)_" + UUID().uuidString.lowercased().prefix(8)
    }

    static let quiet = Logger(label: "sluice-bench") { _ in SwiftLogNoOpLogHandler() }
}
