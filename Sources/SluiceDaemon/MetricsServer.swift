import Hummingbird
import Logging
import ServiceLifecycle
import SluiceCore

/// The `--metrics HOST:PORT` endpoint: `/metrics` (Prometheus text) and `/healthz`.
public enum MetricsServer {
    /// A `HOST:PORT` pair as given on the command line (`127.0.0.1:9464`, `[::1]:9464`).
    public struct Address: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// Parses `HOST:PORT`; nil when either part is missing or the port is not 0-65535.
        public init?(parsing text: String) {
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
                  (0...65_535).contains(port) else { return nil }
            var host = String(text[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty else { return nil }
            self.init(host: host, port: port)
        }

        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

        /// Whether only this machine can connect (`127.0.0.0/8`, `::1`, `localhost`).
        public var isLoopback: Bool { URLPolicy.isLoopback(host: host) }
    }

    /// The HTTP server as a service of the daemon's group; `onListening` receives the bound port.
    public static func service(address: Address, metrics: RunMetrics, logger: Logger,
                               onListening: @escaping @Sendable (Int) -> Void = { _ in }) -> any Service {
        let router = Router()
        router.get("healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        router.get("metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: metrics.render())))
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: nil),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? address.port) },
            logger: logger
        )
    }
}
