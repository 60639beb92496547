#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import UnixSignals

/// SIGINT (Ctrl-C) and SIGTERM for the foreground commands (`sluice run`, `backfill`, `demo`): the first one
/// cancels the work instead of killing the process, so each run stops after the page being written commits and
/// is recorded `cancelled` with what it wrote; a second one takes the signal's default action
/// and ends the process at once.
package struct SignalCancellation: Sendable {
    private let signals: UnixSignalsSequence

    /// Traps SIGINT and SIGTERM from now on (call it before anything worth keeping starts).
    package init() async {
        signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
    }

    /// Runs `work`; the first SIGINT or SIGTERM cancels it and the function waits for what `work` returns
    /// after that. Returns the result and the number of the signal that cancelled it, if one did.
    package func run<T: Sendable>(onSignal: @escaping @Sendable (Int32) -> Void = { _ in },
                                 _ work: @escaping @Sendable () async throws -> T) async throws -> (value: T, signal: Int32?) {
        try await withThrowingTaskGroup(of: Outcome<T>.self) { group in
            group.addTask { .done(try await work()) }
            group.addTask {
                for await signal in signals {
                    // From now on the signals take their default action again: a second Ctrl-C ends the process
                    // at once, for someone who does not want to wait for the page in flight.
                    for number in [SIGINT, SIGTERM] { _ = Glibc.signal(number, SIG_DFL) }
                    onSignal(signal.rawValue)
                    return .signal(signal.rawValue)
                }
                return .stopped
            }
            var received: Int32?
            while let outcome = try await group.next() {
                switch outcome {
                case .done(let value):
                    group.cancelAll()
                    return (value, received)
                case .signal(let number):
                    // The work winds down: each run stops after the page being written commits.
                    received = number
                    group.cancelAll()
                case .stopped:
                    continue
                }
            }
            throw CancellationError()
        }
    }

    private enum Outcome<T: Sendable>: Sendable {
        case done(T)
        case signal(Int32)
        case stopped
    }
}
