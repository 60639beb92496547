import Hummingbird
package import Logging

/// Runs emulators on loopback HTTP servers for the duration of a closure.
///
/// Lifetimes are scoped, in the style of AsyncHTTPClient's `withHTTPClient`: every server runs in a child
/// task of a task group, the closure receives the base URLs once every server is listening, and the servers
/// are cancelled and awaited when the closure returns or throws. Nothing outlives the call.
package enum EmulatorServer {
    /// How long to wait for the servers to start listening before giving up. Generous: under the full test suite
    /// on two cores a server once took more than 10 s to bind (a busy machine, not a broken server).
    package static let startupTimeout: Duration = .seconds(45)

    /// Serves one emulator on `host` (port 0: the system picks a free one) while `body` runs.
    ///
    /// - Parameters:
    ///   - emulator: The API to serve.
    ///   - host: Loopback address to bind, `127.0.0.1` by default (`::1` works too).
    ///   - port: Port to bind; 0 picks a free port.
    ///   - logger: Server logger; by default the server logs nothing.
    ///   - body: Receives the base URL, `http://host:port` followed by the emulator's `basePath`.
    /// - Returns: Whatever `body` returns.
    package static func withRunning<Result>(
        _ emulator: some Emulator,
        host: String = "127.0.0.1",
        port: Int = 0,
        logger: Logger? = nil,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (String) async throws -> Result
    ) async throws -> Result {
        try await withRunning([emulator], host: host, ports: [port], logger: logger, isolation: isolation) { urls in
            try await body(urls[0])
        }
    }

    /// Serves several emulators at once, each on its own free port, while `body` runs.
    ///
    /// Separate ports give each emulator its own origin, which is how tests tell "another host" apart
    /// (a WS1 download redirecting to storage, a token endpoint on an `auth.` host).
    ///
    /// - Parameters:
    ///   - emulators: The APIs to serve.
    ///   - host: Loopback address to bind, `127.0.0.1` by default.
    ///   - logger: Server logger; by default the servers log nothing.
    ///   - body: Receives the base URLs, in the order of `emulators`.
    /// - Returns: Whatever `body` returns.
    package static func withRunning<Result>(
        _ emulators: [any Emulator],
        host: String = "127.0.0.1",
        logger: Logger? = nil,
        isolation: isolated (any Actor)? = #isolation,
        _ body: ([String]) async throws -> Result
    ) async throws -> Result {
        try await withRunning(emulators, host: host, ports: Array(repeating: 0, count: emulators.count),
                              logger: logger, isolation: isolation, body)
    }

    private static func withRunning<Result>(
        _ emulators: [any Emulator],
        host: String,
        ports requestedPorts: [Int],
        logger: Logger?,
        isolation: isolated (any Actor)?,
        _ body: ([String]) async throws -> Result
    ) async throws -> Result {
        let logger = logger ?? Logger(label: "sluice.emulators", factory: { _ in SwiftLogNoOpLogHandler() })
        let (listening, announce) = AsyncStream.makeStream(of: (index: Int, port: Int).self)
        return try await withThrowingTaskGroup(of: Void.self, isolation: isolation) { group in
            for (index, emulator) in emulators.enumerated() {
                let application = makeApplication(emulator, host: host, port: requestedPorts[index], logger: logger) {
                    announce.yield((index, $0))
                }
                group.addTask {
                    // A server that stops (bind failure, cancellation) ends the wait below instead of leaving it hanging.
                    defer { announce.finish() }
                    try await application.run()
                }
            }
            group.addTask {
                try? await Task.sleep(for: startupTimeout)
                announce.finish()
            }
            var ports = [Int?](repeating: nil, count: emulators.count)
            for await (index, port) in listening {
                ports[index] = port
                if !ports.contains(where: { $0 == nil }) { break }
            }
            // Stop the servers however `body` ends; the group then awaits them before returning.
            defer { group.cancelAll() }
            let bound = ports.compactMap { $0 }
            guard bound.count == emulators.count else {
                group.cancelAll()
                try await group.waitForAll()
                throw EmulatorServerError.notListening(host: host, timeout: startupTimeout)
            }
            let authority = host.contains(":") ? "[\(host)]" : host
            return try await body(zip(emulators, bound).map { "http://\(authority):\($1)\($0.basePath)" })
        }
    }

    private static func makeApplication(
        _ emulator: any Emulator,
        host: String,
        port: Int,
        logger: Logger,
        onListening: @escaping @Sendable (Int) -> Void
    ) -> some ApplicationProtocol {
        let router = Router()
        emulator.addRoutes(to: router)
        let clock = emulator.serverClock
        return Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: [ServerDateHandler(clock)])),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }
}

/// Why an emulator server could not be used.
package enum EmulatorServerError: Error, CustomStringConvertible {
    /// The servers did not all start listening in time (and none reported a bind error).
    case notListening(host: String, timeout: Duration)

    /// What went wrong, for the test log.
    package var description: String {
        switch self {
        case .notListening(let host, let timeout):
            "emulator server on \(host) did not start listening within \(timeout)"
        }
    }
}
