import Foundation
import Logging
import SluiceCore
import SluiceHTTP
import Synchronization

/// A clock that records the waits it is asked for and returns at once (moving its own time on), so retry and
/// rate-limit tests take no time.
final class RecordingClock: Clock, Sendable {
    private let state = Mutex<(now: UTCClock.Instant, waits: [Duration])>((UTCClock.Instant(epochSeconds: 0), []))

    var now: UTCClock.Instant { state.withLock { $0.now } }
    var minimumResolution: Duration { .nanoseconds(1) }

    func sleep(until deadline: UTCClock.Instant, tolerance: Duration?) async throws {
        try Task.checkCancellation()
        state.withLock { state in
            state.waits.append(state.now.duration(to: deadline))
            state.now = max(state.now, deadline)
        }
    }

    /// The waits asked for, in seconds.
    var waits: [Double] { state.withLock { $0.waits.map(\.seconds) } }
}

/// Keeps every log line (message and metadata) for assertions.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }

    /// A logger at trace level writing into this capture.
    func logger() -> Logger {
        var logger = Logger(label: "sluice-http-test", factory: { _ in CapturingHandler(capture: self) })
        logger.logLevel = .trace
        return logger
    }
}

struct CapturingHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let meta = (event.metadata ?? [:]).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
        capture.append("\(event.level) \(event.message) \(meta)")
    }
}

/// A one-shot barrier: `wait()` suspends until `open()` is called.
actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        for waiter in waiters { waiter.resume() }
        waiters = []
    }
}

/// A wall clock the test moves by hand.
final class ManualClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_700_000_000)) { current = Mutex(start) }

    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: Double) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// A fetcher for tests: recording clock, jitter at the top of its window, `maxAttempts` 4. The request timeout
/// is generous (60 s): the tests count requests, and on a loaded two-core machine a loopback answer has taken
/// over 10 s, which a shorter timeout turned into a retry and a wrong count.
func withFetcher<Result>(
    maxAttempts: Int = 4,
    timeoutSeconds: Double = 60,
    maxBodyBytes: Int = 1024 * 1024,
    redactor: Redactor = Redactor(),
    logs: LogCapture = LogCapture(),
    clock: any Clock<Duration> = RecordingClock(),
    rateLimiter: RateLimiter? = nil,
    _ body: (HTTPFetcher) async throws -> Result
) async throws -> Result {
    try await HTTPClientFactory.withHTTPClient { client in
        let fetcher = HTTPFetcher(client: client, job: "test-job",
                                  settings: HTTPSettings(timeoutSeconds: timeoutSeconds, maxAttempts: maxAttempts),
                                  logger: logs.logger(), redactor: redactor, rateLimiter: rateLimiter, clock: clock,
                                  maxBodyBytes: maxBodyBytes, random: { $0.upperBound })
        return try await body(fetcher)
    }
}

/// The error `operation` throws, as a SluiceError (nil when it succeeded or threw something else).
func sluiceError(_ operation: () async throws -> Void) async -> SluiceError? {
    do {
        try await operation()
        return nil
    } catch let error as SluiceError {
        return error
    } catch {
        return nil
    }
}
