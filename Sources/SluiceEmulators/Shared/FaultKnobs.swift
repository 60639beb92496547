import Hummingbird
import Synchronization

/// Faults an emulator injects on request, settable from any task while the emulator runs.
///
/// Positional knobs count the requests the owning emulator counts (its `RequestJournal` arrival numbers,
/// 1-based). "Fail" knobs replace the whole answer with an error status; "body" knobs let the emulator
/// answer normally and then damage the body, each emulator in its own format's way.
package final class FaultKnobs: Sendable {
    /// An injected error answer.
    package struct Failure: Sendable, Equatable {
        /// HTTP status code, e.g. 429 or 503.
        package var status: Int
        /// `Retry-After` header value (seconds or an HTTP date), sent verbatim when set.
        package var retryAfter: String?
        /// The `error` text of the JSON body; nil sends the code (`rate_limited` or `injected_failure`).
        package var message: String?

        /// An injected error answer with the given status, optional `Retry-After` value and error text.
        package init(status: Int, retryAfter: String? = nil, message: String? = nil) {
            self.status = status
            self.retryAfter = retryAfter
            self.message = message
        }
    }

    /// Damage done to an otherwise normal response body.
    package enum BodyFault: Sendable, Equatable {
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
        /// Faults drawn at random for requests without a positional fault (soak tests).
        var randomFailureRate = 0.0
        var randomStatuses: [Int] = []
        var randomTruncationRate = 0.0
        var random = SplitMix64(seed: 1)
    }

    private let state = Mutex(State())

    /// No faults.
    package init() {}

    /// Answers request `number` (1-based) with `status` and, when given, a `Retry-After` header.
    package func failRequest(_ number: Int, status: Int, retryAfter: String? = nil) {
        state.withLock { $0.failAt[number] = Failure(status: status, retryAfter: retryAfter) }
    }

    /// Answers the next `count` requests (whatever their numbers) with `status`.
    /// `message` replaces the body's error text (an API error body that quotes markup, say).
    package func failNextRequests(_ count: Int, status: Int, retryAfter: String? = nil, message: String? = nil) {
        let failure = Failure(status: status, retryAfter: retryAfter, message: message)
        state.withLock { $0.failNext.append(contentsOf: repeatElement(failure, count: max(0, count))) }
    }

    /// Waits this long before answering each successful request (a slow source); zero turns it off.
    package func setDelay(_ delay: Duration) {
        state.withLock { $0.delay = max(.zero, delay) }
    }

    /// Sends a truncated, unparseable body in answer to request `number`.
    package func truncateResponse(toRequest number: Int) {
        state.withLock { $0.bodyFaults[number] = .truncated }
    }

    /// Sends `megabytes` MiB of junk in answer to request `number` (for response size limits).
    package func oversizeResponse(toRequest number: Int, megabytes: Int) {
        state.withLock { $0.bodyFaults[number] = .oversized(bytes: max(0, megabytes) * 1_048_576) }
    }

    /// From now on, answers a random `rate` share of requests (0...1) with one of `statuses` (with
    /// `Retry-After: 1` for 429 and 503), and truncates the body of a random `truncateRate` share; `seed` makes
    /// the draw repeatable.
    package func setRandomFaults(rate: Double, statuses: [Int] = [429, 503], truncateRate: Double = 0, seed: UInt64 = 1) {
        state.withLock {
            $0.randomFailureRate = rate
            $0.randomStatuses = statuses
            $0.randomTruncationRate = truncateRate
            $0.random = SplitMix64(seed: seed)
        }
    }

    /// Removes every fault.
    package func reset() {
        state.withLock { $0 = State() }
    }

    /// Decides the faults for request `number`, consuming one "fail next" if one is pending.
    func plan(forRequest number: Int) -> Plan {
        state.withLock { state in
            var failure = state.failAt.removeValue(forKey: number)
            if failure == nil, !state.failNext.isEmpty {
                failure = state.failNext.removeFirst()
            }
            var bodyFault = state.bodyFaults.removeValue(forKey: number)
            if failure == nil, state.randomFailureRate > 0, !state.randomStatuses.isEmpty,
               state.random.unit() < state.randomFailureRate {
                let status = state.randomStatuses[Int(state.random.next() % UInt64(state.randomStatuses.count))]
                failure = Failure(status: status, retryAfter: status == 429 || status == 503 ? "1" : nil)
            }
            if failure == nil, bodyFault == nil, state.randomTruncationRate > 0, state.random.unit() < state.randomTruncationRate {
                bodyFault = .truncated
            }
            return Plan(failure: failure, delay: state.delay, bodyFault: bodyFault)
        }
    }
}

/// A small deterministic generator for the random faults (repeatable with the same seed).
struct SplitMix64: Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `0..<1`.
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

extension FaultKnobs.Failure {
    /// The error answer as an HTTP response with a JSON body naming the injected status.
    var response: Response {
        var headers: HTTPFields = [:]
        if let retryAfter { headers[.retryAfter] = retryAfter }
        let code = status == 429 ? "rate_limited" : "injected_failure"
        return .jsonError(message ?? code, status: HTTPResponse.Status(code: status), headers: headers)
    }
}
