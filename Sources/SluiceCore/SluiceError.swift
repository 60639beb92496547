/// An error as the operator reads it: which job, which step, what happened, and whether retrying can help.
///
/// `description` is written for the operator and never contains a secret, a token or a signed URL's query
/// string: every message passes through a ``Redactor`` before it becomes part of an error.
public struct SluiceError: Error, Sendable, CustomStringConvertible, Equatable {
    /// Whether trying again later can succeed.
    public enum Kind: String, Sendable, Equatable {
        /// Connection errors, timeouts, 408/429/5xx: retry with backoff.
        case transient
        /// The source or the data is wrong (400/403/404, malformed page): fail now.
        case permanent
        /// The job file or the command line is wrong: fix it first.
        case configuration
        /// Shutdown interrupted the work.
        case cancelled
    }

    public var kind: Kind
    /// The job the error belongs to, when known.
    public var job: String?
    /// The step: "token", "list downloads", "page 7 of Sessions", "commit page 3".
    public var step: String
    /// What happened, for a person. Already redacted.
    public var message: String
    /// The HTTP status, when the error is an HTTP answer.
    public var status: Int?

    public init(_ kind: Kind, job: String? = nil, step: String, _ message: String, status: Int? = nil) {
        self.kind = kind
        self.job = job
        self.step = step
        self.message = message
        self.status = status
    }

    public var isTransient: Bool { kind == .transient }

    public var description: String {
        var parts: [String] = []
        if let job { parts.append("job '\(job)'") }
        if !step.isEmpty { parts.append(step) }
        let prefix = parts.joined(separator: ", ")
        return prefix.isEmpty ? message : "\(prefix): \(message)"
    }

    /// The same error attributed to `job` (kept if it already names one).
    public func inJob(_ job: String) -> SluiceError {
        var copy = self
        if copy.job == nil { copy.job = job }
        return copy
    }

    /// The same error with a more specific step ("page 3" inside "Sessions" becomes "Sessions, page 3").
    public func atStep(_ outer: String) -> SluiceError {
        var copy = self
        copy.step = step.isEmpty ? outer : "\(outer), \(step)"
        return copy
    }
}
