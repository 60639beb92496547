package import Hummingbird

/// An emulated API that `EmulatorServer` can host on a loopback port.
///
/// Each emulator is a `Sendable` reference whose state and fault knobs tests change while it serves;
/// the server only asks it for its routes once, when it starts.
package protocol Emulator: Sendable {
    /// Path prefix of the API (e.g. `/api/bi/v1`); `""` for an API served at the root.
    ///
    /// The server hands callers `http://host:port` followed by this prefix, which is what a job file's
    /// `base_url` (or `api_base`) should say.
    var basePath: String { get }

    /// Adds the emulator's routes to a fresh router.
    func addRoutes(to router: Router<BasicRequestContext>)

    /// The clock its `Date` headers follow; the server reads it on every response.
    var serverClock: ServerClock { get }
}

extension Emulator {
    /// Served at the root unless the emulator says otherwise.
    package var basePath: String { "" }

    /// A clock that agrees with this machine's, for emulators without a knob of their own.
    package var serverClock: ServerClock { ServerClock() }
}
