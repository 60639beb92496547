import Foundation
import Logging
package import PostgresNIO

/// The PostgreSQL server the tests use: `$SLUICE_TEST_POSTGRES_URL` (a `postgresql://USER@HOST:PORT/DB` URL) with
/// `$SLUICE_TEST_POSTGRES_PASSWORD`, as `scripts/postgres-test-cluster.sh start` prints them.
///
/// When no server is configured, the PostgreSQL tests fail with a message saying how to start one (``unavailable(_:)``;
/// `.ci/run` always starts one). Each test works in a schema of its own (``freshSchema()``), dropped afterwards.
package enum TestPostgres {
    package static var url: String? { nonEmpty("SLUICE_TEST_POSTGRES_URL") }
    package static var password: String? { nonEmpty("SLUICE_TEST_POSTGRES_PASSWORD") }
    /// The same server over TLS with `sslmode=verify-full` and the test CA (`sslrootcert=`), when the script made one.
    package static var tlsURL: String? { nonEmpty("SLUICE_TEST_POSTGRES_TLS_URL") }

    /// Whether a server is configured.
    package static var isConfigured: Bool { url != nil }

    /// The error a PostgreSQL test throws when no server is configured: the test fails (it never passes or skips
    /// silently), and the message, also printed on standard error, says how to start one.
    package static func unavailable(_ test: String = #function) -> TestPostgresError {
        let text = "no PostgreSQL for the tests (\(test)): set SLUICE_TEST_POSTGRES_URL and "
            + "SLUICE_TEST_POSTGRES_PASSWORD, e.g. eval \"$(scripts/postgres-test-cluster.sh start)\" "
            + "(Debian: apt-get install postgresql openssl first)"
        FileHandle.standardError.write(Data("\n*** FAILED: \(text) ***\n".utf8))
        return TestPostgresError(message: text)
    }

    /// A new schema name no other test uses.
    package static func freshSchema(_ prefix: String = "t") -> String {
        "\(prefix)_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
    }

    /// The URL's parts, for connecting without Sluice's own code (an analyst's tool).
    package static func configuration(url text: String? = nil) throws -> PostgresConnection.Configuration {
        guard let text = text ?? url, let components = URLComponents(string: text), let host = components.host,
              let user = components.user else {
            throw TestPostgresError(message: "SLUICE_TEST_POSTGRES_URL is not a postgresql://USER@HOST:PORT/DB URL")
        }
        let database = String(components.path.dropFirst())
        return .init(host: host, port: components.port ?? 5432, username: user, password: password,
                     database: database.isEmpty ? user : database, tls: .disable)
    }

    /// Runs `body` with a connection of its own (search path: `schema`), closed afterwards.
    package static func withConnection<T>(schema: String? = nil, isolation: isolated (any Actor)? = #isolation,
                                         _ body: (PostgresConnection) async throws -> T) async throws -> T {
        var configuration = try configuration()
        if let schema { configuration.options.additionalStartupParameters = [("search_path", "\"\(schema)\"")] }
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: quietLogger)
        do {
            let value = try await body(connection)
            try? await connection.close()
            return value
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// Drops `schema` and everything in it.
    package static func dropSchema(_ schema: String) async {
        _ = try? await withConnection { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \"\(schema)\" CASCADE"),
                                       logger: quietLogger)
        }
    }

    static let quietLogger: Logger = {
        var logger = Logger(label: "test-postgres")
        logger.logLevel = .critical
        return logger
    }()

    private static func nonEmpty(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }
}

package struct TestPostgresError: Error, CustomStringConvertible {
    package var message: String
    package var description: String { message }

    package init(message: String) {
        self.message = message
    }
}
