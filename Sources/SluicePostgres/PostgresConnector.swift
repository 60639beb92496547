package import Logging
package import PostgresNIO
package import SluiceCore
import Synchronization

/// Opens connections to the warehouse: TLS as `sslmode` says, the password from its secret reference, and the
/// session settings every Sluice connection has.
///
/// Session settings (sent in the startup message, so no statement is spent on them): `search_path` is the
/// warehouse schema (COPY names its table without a schema); `TimeZone` is UTC (timestamps without an offset,
/// which is how Sluice writes them, are UTC); TCP keepalives make the server notice within about two minutes
/// that a Sluice machine vanished, which releases that instance's job locks for the others.
package struct PostgresConnector: Sendable {
    package let location: PostgresLocation
    /// The schema of the data tables and the system tables.
    package let schema: String
    let password: String?
    let tls: PostgresConnection.Configuration.TLS
    /// The logger given to PostgresNIO: warnings and errors only (its debug output would show statements and values).
    let logger: Logger

    private static let nextID = Mutex(0)

    /// - Parameters:
    ///   - password: from ``PostgresPassword/resolve(environment:redactor:)``; nil for none.
    ///   - logger: receives PostgresNIO's own warnings and errors.
    package init(location: PostgresLocation, schema: String = "public", password: String?,
                logger: Logger) throws(SluiceError) {
        try PostgresIdentifier.validateSchema(schema)
        self.location = location
        self.schema = schema
        self.password = password
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .warning)
        self.logger = quiet
        do {
            tls = try Self.tls(for: location)
        } catch {
            throw SluiceError(.config, step: "warehouse TLS", "cannot set up TLS for \(location): \(error)")
        }
    }

    /// A new connection with the session settings applied.
    package func connect() async throws -> PostgresConnection {
        var configuration: PostgresConnection.Configuration
        if let folder = location.socketFolder {
            let path = folder.hasSuffix("/") ? folder : folder + "/"
            configuration = .init(unixSocketPath: path + ".s.PGSQL.\(location.port)", username: location.user,
                                  password: password, database: location.database)
        } else {
            configuration = .init(host: location.host, port: location.port, username: location.user, password: password,
                                  database: location.database, tls: tls)
        }
        configuration.options.connectTimeout = .seconds(Int64(location.connectTimeoutSeconds))
        configuration.options.additionalStartupParameters = [
            ("application_name", location.applicationName),
            ("search_path", PostgresIdentifier.quote(schema)),
            ("TimeZone", "UTC"),
            ("DateStyle", "ISO, YMD"),
            ("client_encoding", "UTF8"),
            ("idle_in_transaction_session_timeout", "300000"),
            ("tcp_keepalives_idle", "60"),
            ("tcp_keepalives_interval", "10"),
            ("tcp_keepalives_count", "6"),
        ]
        let id = Self.nextID.withLock { value in
            value += 1
            return value
        }
        do {
            return try await PostgresConnection.connect(configuration: configuration, id: id, logger: logger)
        } catch {
            throw PostgresFailure.sluiceError(error, step: "connect to \(location)")
        }
    }

    private static func tls(for location: PostgresLocation) throws -> PostgresConnection.Configuration.TLS {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch location.sslMode {
        case .disable: return .disable
        case .require: configuration.certificateVerification = .none
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .verifyFull: configuration.certificateVerification = .fullVerification
        }
        if let file = location.sslRootCert {
            configuration.trustRoots = .file(file)
        }
        return .require(try NIOSSLContext(configuration: configuration))
    }
}
