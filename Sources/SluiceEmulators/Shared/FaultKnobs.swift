import Hummingbird
import Synchronization

/// Faults an emulator injects on request, settable from any task while the emulator runs.
///
/// Positional knobs count the requests the owning emulator counts (its `RequestJournal` arrival numbers,
/// 1-based). "Fail" knobs replace the whole answer with an error status; "body" knobs let the emulator
/// answer normally and then damage the body, each emulator in its own format's way.
public final class FaultKnobs: Sendable {
    /// An injected error answer.
    public struct Failure: Sendable, Equatable {
        /// HTTP status code, e.g. 429 or 503.
        public var status: Int
        /// `Retry-After` header value (seconds or an HTTP date), sent verbatim when set.
        public var retryAfter: String?

        /// An injected error answer with the given status and optional `Retry-After` value.
        public init(status: Int, retryAfter: String? = nil) {
            self.status = status
            self.retryAfter = retryAfter
        }
    }

    /// Damage done to an otherwise normal response body.
    public enum BodyFault: Sendable, Equatable {
        /// The body is cut short (still sent with a consistent `Content-Length`), so it does not parse.
        case truncated
        /// The body is replaced by this many bytes of well-formed but oversized junk.
        case oversized(bytes: Int)
    }

    /// What to do to one request, decided once when it arrives.
    struct Plan: Sendable {
        var failure: Failure?
        var delay: Duration
        var bodyFault: BodyFault?
    }

    private struct State {
        var failAt: [Int: Failure] = [:]
        var failNext: [Failure] = []
        var delay: Duration = .zero
        var bodyFaults: [Int: BodyFault] = [:]
    }

    private let state = Mutex(State())

    /// No faults.
    public init() {}

    /// Answers request `number` (1-based) with `status` and, when given, a `Retry-After` header.
    public func failRequest(_ number: Int, status: Int, retryAfter: String? = nil) {
        state.withLock { $0.failAt[number] = Failure(status: status, retryAfter: retryAfter) }
    }

    /// Answers the next `count` requests (whatever their numbers) with `status`.
    public func failNextRequests(_ count: Int, status: Int, retryAfter: String? = nil) {
        let failure = Failure(status: status, retryAfter: retryAfter)
        state.withLock { $0.failNext.append(contentsOf: repeatElement(failure, count: max(0, count))) }
    }

    /// Waits this long before answering each successful request (a slow source); zero turns it off.
    public func setDelay(_ delay: Duration) {
        state.withLock { $0.delay = max(.zero, delay) }
    }

    /// Sends a truncated, unparseable body in answer to request `number`.
    public func truncateResponse(toRequest number: Int) {
        state.withLock { $0.bodyFaults[number] = .truncated }
    }

    /// Sends `megabytes` MiB of junk in answer to request `number` (for response size limits).
    public func oversizeResponse(toRequest number: Int, megabytes: Int) {
        state.withLock { $0.bodyFaults[number] = .oversized(bytes: max(0, megabytes) * 1_048_576) }
    }

    /// Removes every fault.
    public func reset() {
        state.withLock { $0 = State() }
    }

    /// Decides the faults for request `number`, consuming one "fail next" if one is pending.
    func plan(forRequest number: Int) -> Plan {
        state.withLock { state in
            var failure = state.failAt.removeValue(forKey: number)
            if failure == nil, !state.failNext.isEmpty {
                failure = state.failNext.removeFirst()
            }
            return Plan(failure: failure, delay: state.delay, bodyFault: state.bodyFaults.removeValue(forKey: number))
        }
    }
}

extension FaultKnobs.Failure {
    /// The error answer as an HTTP response with a JSON body naming the injected status.
    var response: Response {
        var headers: HTTPFields = [:]
        if let retryAfter { headers[.retryAfter] = retryAfter }
        let code = status == 429 ? "rate_limited" : "injected_failure"
        return .jsonError(code, status: HTTPResponse.Status(code: status), headers: headers)
    }
}
