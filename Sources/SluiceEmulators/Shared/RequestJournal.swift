import Hummingbird
import Synchronization

/// One request as an emulator saw it: enough for a test to check what the client sent, never a secret.
///
/// The `Authorization` header is reduced to its scheme (`Bearer`, `Basic`, `CWSAuth`); its credentials are
/// not kept, so a test failure that prints the journal cannot leak a token.
package struct RecordedRequest: Sendable, Equatable, CustomStringConvertible {
    /// One query parameter, percent-decoded, in the order the client sent it.
    package struct QueryItem: Sendable, Equatable {
        /// The parameter name.
        package var name: String
        /// The decoded value (empty when the parameter had no `=`).
        package var value: String
    }

    /// 1-based arrival number among the requests this emulator counts.
    package var number: Int
    /// The HTTP method, e.g. `GET`.
    package var method: String
    /// The path without the query string.
    package var path: String
    /// The query parameters.
    package var query: [QueryItem]
    /// The scheme of the `Authorization` header, or nil when the header was absent.
    package var authorizationScheme: String?
    /// The status code the emulator answered with.
    package var status: Int

    /// The value of the first query parameter with this name.
    package func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }

    /// A one-line summary for test output (carries no credentials by construction).
    package var description: String {
        let items = query.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
        return "#\(number) \(method) \(path)\(items.isEmpty ? "" : "?" + items) auth=\(authorizationScheme ?? "none") → \(status)"
    }
}

/// Thread-safe record of the requests an emulator served: count, log and counts by status.
package final class RequestJournal: Sendable {
    private struct State {
        var arrivals = 0
        var entries: [RecordedRequest] = []
        var statusCounts: [Int: Int] = [:]
    }

    private let state = Mutex(State())

    /// An empty journal.
    package init() {}

    /// How many requests have arrived (including those still being answered).
    package var requestCount: Int { state.withLock { $0.arrivals } }

    /// The finished requests, in the order they finished.
    package var requests: [RecordedRequest] { state.withLock { $0.entries } }

    /// How many finished requests were answered with each status code.
    package var statusCounts: [Int: Int] { state.withLock { $0.statusCounts } }

    /// How many finished requests were answered with `status`.
    package func count(status: Int) -> Int { state.withLock { $0.statusCounts[status, default: 0] } }

    /// Forgets everything, including the arrival counter (positional fault knobs count from 1 again).
    package func reset() { state.withLock { $0 = State() } }

    /// Counts an arriving request and returns its 1-based number.
    func arrive() -> Int {
        state.withLock { state in
            state.arrivals += 1
            return state.arrivals
        }
    }

    /// Records a finished request.
    func record(number: Int, request: Request, status: HTTPResponse.Status) {
        let entry = RecordedRequest(
            number: number,
            method: request.method.rawValue,
            path: request.uri.path,
            query: request.uri.queryParameters.map { .init(name: String($0.key), value: String($0.value)) },
            authorizationScheme: request.headers[.authorization].map(AuthorizationHeader.scheme(of:)),
            status: status.code
        )
        state.withLock { state in
            state.entries.append(entry)
            state.statusCounts[status.code, default: 0] += 1
        }
    }
}
