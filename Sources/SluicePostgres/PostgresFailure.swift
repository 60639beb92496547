import PostgresNIO
import SluiceCore

/// PostgreSQL errors as the operator reads them: the SQLSTATE, the server's message and the kind of statement,
/// never a bound value, a row, the SQL text or the password.
///
/// The server's `DETAIL` and `CONTEXT` fields are never used (they quote rows: `Key (id)=(42) already exists`,
/// `COPY t, line 3, column x: "…"`), and for data exceptions (SQLSTATE class 22), whose messages quote the value
/// (`invalid input syntax for type bigint: "…"`), the message is replaced by the column named in the error.
enum PostgresFailure {
    /// `error` (anything thrown while talking to the server) as a ``SluiceError`` located at `step`.
    static func sluiceError(_ error: any Error, step: String, job: String? = nil, statement: String? = nil) -> SluiceError {
        if let error = error as? SluiceError {
            let located = error.atStep(step)
            return job.map(located.inJob) ?? located
        }
        guard let psql = error as? PSQLError else {
            if error is CancellationError { return SluiceError(.cancelled, job: job, step: step, "cancelled") }
            return SluiceError(.warehouse, job: job, step: step, "PostgreSQL: \(String(describing: error))", retryable: true)
        }
        let (message, retryable, kind) = describe(psql, statement: statement)
        return SluiceError(kind, job: job, step: step, message, retryable: retryable)
    }

    /// The SQLSTATE of a server error, when `error` is one.
    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// Whether `error` means the connection is gone (so the session must not be reused).
    static func isConnectionLost(_ error: any Error) -> Bool {
        guard let psql = error as? PSQLError else { return false }
        switch psql.code {
        case .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown, .messageDecodingFailure,
             .unexpectedBackendMessage:
            return true
        case .server:
            let state = psql.serverInfo?[.sqlState] ?? ""
            return state.hasPrefix("08") || state.hasPrefix("57P")
        default:
            return false
        }
    }

    private static func describe(_ error: PSQLError, statement: String?) -> (String, Bool, SluiceError.Kind) {
        let location = statement.map { " in \($0)" } ?? ""
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState] ?? "?????"
            let retryable = state.hasPrefix("40") || state.hasPrefix("53") || state.hasPrefix("08") || state.hasPrefix("57P")
                || state == "55P03" || state == "55006"
            var message = error.serverInfo?[.message] ?? "error"
            if state.hasPrefix("22") {
                let column = error.serverInfo?[.columnName].map { " in column \"\($0)\"" } ?? ""
                message = "a value does not fit its column\(column) (the value is not shown)"
            }
            if state.hasPrefix("28") {
                return ("PostgreSQL refused the login (SQLSTATE \(state)): \(message); check the user in the warehouse "
                            + "URL and the password (\(passwordSources))", false, .config)
            }
            return ("PostgreSQL error \(state)\(location): \(message)", retryable, .warehouse)
        case .authMechanismRequiresPassword:
            return ("PostgreSQL asks for a password and none is set: \(passwordSources)", false, .config)
        case .unsupportedAuthMechanism:
            return ("PostgreSQL asks for an authentication method Sluice does not support (use scram-sha-256 or md5)",
                    false, .config)
        case .saslError:
            return ("PostgreSQL refused the login during SCRAM authentication: check the password (\(passwordSources))",
                    false, .config)
        case .sslUnsupported:
            return ("the PostgreSQL server does not offer TLS, which the warehouse URL's sslmode requires", false, .config)
        case .failedToAddSSLHandler:
            return ("could not set up TLS to PostgreSQL: \(underlying(error))", false, .config)
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
            return ("the connection to PostgreSQL failed\(location): \(underlying(error))", true, .warehouse)
        case .queryCancelled:
            return ("the statement was cancelled\(location)", true, .warehouse)
        default:
            return ("PostgreSQL client error \(error.code)\(location)", false, .warehouse)
        }
    }

    private static var passwordSources: String {
        "set \(PostgresPassword.variable), \(PostgresPassword.fileVariable) or the credential "
            + "'\(PostgresPassword.credentialName)'"
    }

    private static func underlying(_ error: PSQLError) -> String {
        guard let inner = error.underlying else { return "\(error.code)" }
        if let psql = inner as? PSQLError { return psql.serverInfo?[.message] ?? "\(psql.code)" }
        return String(describing: inner)
    }
}
