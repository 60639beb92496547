#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// Set by the start-up handler; an atomic store is async-signal-safe.
private let stopRequestedEarly = Atomic<Bool>(false)

private func earlySignalHandler(_ signal: Int32) {
    // SIGHUP this early needs nothing: the job files are being read right now anyway.
    if signal != SIGHUP { stopRequestedEarly.store(true, ordering: .relaxed) }
}

/// Closes the window between process start and the moment the service group's signal handling works.
///
/// ServiceLifecycle receives signals through libdispatch, which installs its own `sigaction` handler
/// asynchronously, on its manager thread, some time after the group starts. A SIGTERM in between would
/// take the default action and kill the daemon mid-start (or mid-run). ``install()`` puts a handler in
/// place at once that only remembers the request; ``handOver()`` waits until libdispatch has replaced it
/// and then says whether a stop was requested meanwhile, so the daemon can shut down gracefully after all.
package enum EarlySignals {
    /// Catches SIGTERM, SIGINT and SIGHUP from now on; call first thing in `sluice daemon`.
    package static func install() {
        for signal in [SIGTERM, SIGINT, SIGHUP] { _ = Glibc.signal(signal, earlySignalHandler) }
    }

    /// Waits (at most `timeout`) until SIGTERM and SIGINT are no longer handled here; true when one of them
    /// arrived before that. Returns false at once when the task is cancelled.
    static func handOver(timeout: Duration = .seconds(10)) async -> Bool {
        let ours = unsafeBitCast(earlySignalHandler as @convention(c) (Int32) -> Void, to: UnsafeRawPointer.self)
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if handler(of: SIGTERM) != ours && handler(of: SIGINT) != ours { break }
            do { try await Task.sleep(for: .milliseconds(10)) } catch { return false }
        }
        return stopRequestedEarly.load(ordering: .relaxed)
    }

    private static func handler(of signal: Int32) -> UnsafeRawPointer? {
        var current = sigaction()
        sigaction(signal, nil, &current)
        return current.__sigaction_handler.sa_handler.map { unsafeBitCast($0, to: UnsafeRawPointer.self) }
    }
}
