#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AsyncHTTPClient
import SluiceCore

/// Classifies errors that ended an attempt without an HTTP answer.
enum TransportErrors {
    /// Client errors that no retry can cure: the request itself is malformed or the client is gone.
    private static let permanent: [HTTPClientError] = [
        .invalidURL, .emptyHost, .emptyScheme, .missingSocketPath, .alreadyShutdown, .traceRequestWithBody,
        .shutdownUnsupported,
    ]

    /// Client errors that are timeouts.
    private static let timeouts: [HTTPClientError] = [.deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout]

    /// Whether the attempt may succeed when made again (connection refused, reset, timeouts, TLS hiccups).
    static func isTransient(_ error: any Error) -> Bool { kind(of: error).usuallyRetryable }

    /// What kind of failure a transport error is: a timeout, a malformed request (`config`, never retried),
    /// or anything else on the way to the server (`network`: refused, reset, DNS, TLS).
    static func kind(of error: any Error) -> SluiceError.Kind {
        guard let clientError = error as? HTTPClientError else {
            return String(describing: error).lowercased().contains("timeout") ? .timeout : .network
        }
        if timeouts.contains(clientError) { return .timeout }
        if permanent.contains(clientError) { return .config }
        let text = String(describing: clientError)
        return text.contains("unsupportedScheme") || text.contains("invalidHeaderField") ? .config : .network
    }

    /// Whether the error is the task being cancelled (shutdown), rather than a failure.
    static func isCancellation(_ error: any Error) -> Bool {
        error is CancellationError || (error as? HTTPClientError) == .cancelled
    }

    /// A short, redacted description for an error message; a refused connection to `url` is said plainly
    /// ("connection refused (nothing listening at 127.0.0.1:8080)") instead of in NIO's words ("connection reset
    /// (error set): Connection refused (errno: 111)").
    static func summary(_ error: any Error, url: String? = nil, redactor: Redactor) -> String {
        let text = redactor.redact(String(describing: error))
        if isConnectionRefused(text) {
            guard let url, let parts = URLParts(url) else { return "connection refused (nothing listening there)" }
            let host = parts.host.contains(":") ? "[\(parts.host)]" : parts.host
            return "connection refused (nothing listening at \(host):\(parts.port))"
        }
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }

    /// Whether an error's description is the system's ECONNREFUSED. NIO reports it inside an `IOError` (or a
    /// `NIOConnectionError` listing one per address tried), whose types SluiceHTTP does not import; the errno
    /// text is what they all carry.
    static func isConnectionRefused(_ description: String) -> Bool {
        description.contains(refusedText) || description.contains("errno: \(ECONNREFUSED))")
    }

    private static let refusedText = String(cString: strerror(ECONNREFUSED))
}
