/// An error as the operator reads it: which job, which step, what kind of failure, whether retrying can help.
///
/// `kind` and `isRetryable` are set where the error is born (the fetcher knows a 401 from a timeout, the
/// warehouse a busy lock from a constraint) and travel with it unchanged: nothing downstream re-derives them
/// from the text. `description` is written for the operator and never contains a secret, a token or a signed
/// URL's query string: every message passes through a ``Redactor`` before it becomes part of an error.
package struct SluiceError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What failed, as a closed set: recorded in `sluice_runs.error_kind`, shown by `status`, and a label of
    /// `sluice_runs_total`, so failures can be charted by cause and an alert can page on `auth` but not on
    /// `network`.
    package enum Kind: String, Sendable, CaseIterable {
        /// The job file, the command line or a secret reference is wrong: fix it first.
        case config
        /// The credentials were rejected (401, a token endpoint refusing the client).
        case auth
        /// The credentials are valid but lack a permission (403).
        case forbidden
        /// What the job names does not exist (404, a report without a completed download).
        case notFound = "not_found"
        /// The API said slow down (429) more often or for longer than this client waits.
        case rateLimited = "rate_limited"
        /// The server could not be reached or answered with a server error (connection refused or reset, 5xx).
        case network
        /// Something took too long: a request, a download falling below the minimum rate, the whole run.
        case timeout
        /// The server's answer cannot be used: malformed or truncated, an API error body, a link or redirect
        /// to where the credential must not go.
        case badResponse = "bad_response"
        /// A row the warehouse cannot take (too wide, too large).
        case badData = "bad_data"
        /// The warehouse file itself (SQLite or PostgreSQL) failed.
        case warehouse
        /// Shutdown interrupted the work.
        case cancelled

        /// Whether trying again later usually helps, for errors that are not born with a better answer.
        package var usuallyRetryable: Bool {
            switch self {
            case .rateLimited, .network, .timeout: return true
            default: return false
            }
        }
    }

    package var kind: Kind
    /// Whether trying again later can succeed (a busy database, a truncated download, a 503).
    package var isRetryable: Bool
    /// The job the error belongs to, when known.
    package var job: String?
    /// The step: "token", "list downloads", "page 7 of Sessions", "commit page 3".
    package var step: String
    /// What happened, for a person. Already redacted.
    package var message: String
    /// The HTTP status, when the error is an HTTP answer.
    package var status: Int?

    /// An error of `kind`; `retryable` defaults to what is usual for the kind.
    package init(_ kind: Kind, job: String? = nil, step: String, _ message: String, status: Int? = nil,
                retryable: Bool? = nil) {
        self.kind = kind
        self.isRetryable = retryable ?? kind.usuallyRetryable
        self.job = job
        self.step = step
        self.message = message
        self.status = status
    }

    package var description: String {
        var parts: [String] = []
        if let job { parts.append("job '\(job)'") }
        if !step.isEmpty { parts.append(step) }
        let prefix = parts.joined(separator: ", ")
        return prefix.isEmpty ? message : "\(prefix): \(message)"
    }

    /// The same error attributed to `job` (kept if it already names one).
    package func inJob(_ job: String) -> SluiceError {
        var copy = self
        if copy.job == nil { copy.job = job }
        return copy
    }

    /// The same error with a more specific step ("page 3" inside "Sessions" becomes "Sessions, page 3"); a
    /// step already saying as much is left alone, so no step is ever named twice.
    package func atStep(_ outer: String) -> SluiceError {
        var copy = self
        if step.isEmpty {
            copy.step = outer
        } else if step != outer, !step.hasPrefix(outer + ", ") {
            copy.step = "\(outer), \(step)"
        }
        return copy
    }

    /// The kind an HTTP answer with `status` gets (2xx never becomes an error).
    package static func kind(forHTTPStatus status: Int) -> Kind {
        switch status {
        case 401: return .auth
        case 403: return .forbidden
        case 404, 410: return .notFound
        case 429: return .rateLimited
        case 408, 504: return .timeout
        case 500...599: return .network
        default: return .badResponse
        }
    }
}
