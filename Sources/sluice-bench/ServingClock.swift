import Hummingbird
import SluiceEmulators
import Synchronization

/// Adds up how long an emulator's handlers take: its own serving time, the anchor of the paged benchmark.
///
/// The handlers build the whole page (and wait out the per-page delay) before they return, so the time
/// between a request entering the router and its response leaving it is the time the source took to serve.
final class ServingClock: Sendable {
    private let state = Mutex<(total: Duration, requests: Int)>((.zero, 0))

    /// Total handler time and the number of requests so far.
    var reading: (seconds: Double, requests: Int) {
        state.withLock { state in
            let c = state.total.components
            return (Double(c.seconds) + Double(c.attoseconds) / 1e18, state.requests)
        }
    }

    func add(_ duration: Duration) {
        state.withLock {
            $0.total += duration
            $0.requests += 1
        }
    }
}

/// An emulator with `middleware` in front of every route it adds: how the benchmarks time (``ServingTimer``)
/// or replay (``Replay``) an emulator without touching it.
struct WrappedEmulator<Inner: Emulator, Middleware: RouterMiddleware>: Emulator
where Middleware.Context == BasicRequestContext {
    let inner: Inner
    let middleware: Middleware

    var basePath: String { inner.basePath }

    func addRoutes(to router: Router<BasicRequestContext>) {
        // Router middleware applies to the routes added after it: all of the emulator's.
        router.add(middleware: middleware)
        inner.addRoutes(to: router)
    }
}

/// Adds each request's handler time to `clock` (`WrappedEmulator(inner: emulator, middleware: ServingTimer(clock: clock))`).
struct ServingTimer: RouterMiddleware {
    typealias Context = BasicRequestContext
    let clock: ServingClock

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        defer { clock.add(ContinuousClock.now - start) }
        return try await next(request, context)
    }
}
