import Synchronization

/// A queue of events with a single consumer that can wait for the next one, cancellably.
///
/// Producers (finished runs, the SIGHUP listener, the graceful-shutdown handler) post from any context,
/// including synchronous ones; the scheduler loop waits in ``next()``. Cancelling the waiting task makes
/// ``next()`` return nil without losing events: an event posted later stays queued for the next call.
final class EventMailbox<Event: Sendable>: Sendable {
    private struct State {
        var queue: [Event] = []
        var waiter: CheckedContinuation<Event?, Never>?
    }

    private let state = Mutex(State())

    init() {}

    /// Queues `event`, or hands it straight to the waiting consumer.
    func post(_ event: Event) {
        let waiter = state.withLock { state -> CheckedContinuation<Event?, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.queue.append(event)
            return nil
        }
        waiter?.resume(returning: event)
    }

    /// The next event; nil when the calling task is cancelled first. One consumer at a time.
    func next() async -> Event? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Event?, Never>) in
                let immediate = state.withLock { state -> Event?? in
                    if !state.queue.isEmpty { return .some(state.queue.removeFirst()) }
                    // Checked under the lock: a cancellation after this point finds the waiter in onCancel.
                    if Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Event?, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }
    }
}
