/// Waits between retries. Injected so tests can record the waits instead of spending them.
public protocol Sleeper: Sendable {
    /// Returns after `seconds`, or throws `CancellationError` when the task is cancelled first.
    func sleep(seconds: Double) async throws
}

/// Sleeps with `Task.sleep`, so shutdown (task cancellation) interrupts the wait at once.
public struct TaskSleeper: Sleeper {
    public init() {}

    public func sleep(seconds: Double) async throws {
        guard seconds > 0 else {
            try Task.checkCancellation()
            return
        }
        try await Task.sleep(for: .seconds(clamping: seconds))
    }
}
