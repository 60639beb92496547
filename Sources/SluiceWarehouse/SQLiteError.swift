import CSQLite
import SluiceCore

/// A failed SQLite call: result codes, SQLite's own message and the kind of statement that failed.
///
/// Bound values never appear here: they may be personal data or secrets from a source. The statement
/// *kind* ("INSERT", "CREATE TABLE") says enough to locate the failure without quoting the SQL.
struct SQLiteError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The primary result code (`SQLITE_CONSTRAINT` = 19, `SQLITE_BUSY` = 5, …).
    var code: Int32
    /// The extended result code (`SQLITE_CONSTRAINT_NOTNULL` = 1299, …).
    var extendedCode: Int32
    /// `sqlite3_errmsg` at the time of the failure (names tables and columns, never values).
    var message: String
    /// The first keywords of the statement: "INSERT", "ALTER TABLE", "PRAGMA", "open".
    var statementKind: String

    /// Creates an error from explicit parts.
    init(code: Int32, extendedCode: Int32, message: String, statementKind: String) {
        self.code = code
        self.extendedCode = extendedCode
        self.message = message
        self.statementKind = statementKind
    }

    /// Whether waiting and trying again can succeed (the database was locked by someone else).
    var isBusy: Bool { code == SQLITE_BUSY || code == SQLITE_LOCKED }

    var description: String {
        let codeName = String(cString: sqlite3_errstr(extendedCode))
        return "SQLite error \(code)/\(extendedCode) (\(codeName)) in \(statementKind): \(message)"
    }

    /// The error as the operator reads it, attributed to `step` ("commit page 3 of Sessions").
    ///
    /// A busy database can be retried (another writer held the lock longer than `busy_timeout`); nothing
    /// else can, because the same statement on the same file fails the same way.
    func sluiceError(step: String, job: String? = nil) -> SluiceError {
        SluiceError(.warehouse, job: job, step: step, description, retryable: isBusy)
    }

    /// The first one or two keywords of `sql`, upper-cased: enough to say what failed without values.
    static func kind(of sql: String) -> String {
        let words = sql.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "(" })
            .prefix(2).map { $0.uppercased() }
        guard let first = words.first else { return "statement" }
        switch first {
        case "CREATE", "ALTER", "DROP", "BEGIN":
            return words.count > 1 ? "\(first) \(words[1])" : first
        default:
            return first
        }
    }
}

extension SluiceError {
    /// Wraps any error thrown inside the warehouse as a ``SluiceError`` located at `step`.
    static func warehouse(_ error: any Error, step: String, job: String? = nil) -> SluiceError {
        if let error = error as? SluiceError {
            let located = error.atStep(step)
            return job.map(located.inJob) ?? located
        }
        if let error = error as? SQLiteError { return error.sluiceError(step: step, job: job) }
        return SluiceError(.warehouse, job: job, step: step, String(describing: error))
    }
}
