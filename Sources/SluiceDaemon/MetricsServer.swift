import Hummingbird
package import Logging
package import ServiceLifecycle
import SluiceCore

/// The `--metrics HOST:PORT` endpoint: `/metrics` (Prometheus text), `/healthz`, and with a status page `/`
/// (HTML) and `/api/status` (the JSON of `sluice status --json`).
package enum MetricsServer {
    /// A `HOST:PORT` pair as given on the command line (`127.0.0.1:9464`, `[::1]:9464`).
    package struct Address: Sendable, Equatable, CustomStringConvertible {
        package var host: String
        package var port: Int

        package init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// Parses `HOST:PORT`; nil when either part is missing or the port is not 0-65535.
        package init?(parsing text: String) {
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
                  (0...65_535).contains(port) else { return nil }
            var host = String(text[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty else { return nil }
            self.init(host: host, port: port)
        }

        package var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

        /// Whether only this machine can connect (`127.0.0.0/8`, `::1`, `localhost`).
        package var isLoopback: Bool { URLPolicy.isLoopback(host: host) }
    }

    /// The HTTP server as a service of the daemon's group; `onListening` receives the bound port.
    package static func service(address: Address, metrics: RunMetrics, statusPage: StatusPageServer? = nil, logger: Logger,
                               onListening: @escaping @Sendable (Int) -> Void = { _ in }) -> any Service {
        let router = Router()
        if let statusPage { addStatusRoutes(statusPage, to: router) }
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

    private static func addStatusRoutes(_ page: StatusPageServer, to router: Router<BasicRequestContext>) {
        let common: HTTPFields = [.cacheControl: "no-store", HTTPFields.Element.Name("X-Content-Type-Options")!: "nosniff",
                                  HTTPFields.Element.Name("Referrer-Policy")!: "no-referrer"]
        router.get("/") { _, _ in
            do {
                let (html, nonce) = try await page.page()
                var headers = common
                headers[.contentType] = "text/html; charset=utf-8"
                headers[HTTPFields.Element.Name("Content-Security-Policy")!] = StatusPageServer.policy(nonce: nonce)
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
            } catch {
                page.logger.error("status page: \(error)")
                var headers = common
                headers[.contentType] = "text/plain; charset=utf-8"
                return Response(status: .internalServerError, headers: headers,
                                body: .init(byteBuffer: ByteBuffer(string: "the warehouse could not be read; see the daemon's log\n")))
            }
        }
        router.get("api/status") { _, _ in
            do {
                var headers = common
                headers[.contentType] = "application/json"
                return Response(status: .ok, headers: headers,
                                body: .init(byteBuffer: ByteBuffer(string: try await page.statusJSON() + "\n")))
            } catch {
                page.logger.error("status API: \(error)")
                return Response(status: .internalServerError, headers: common,
                                body: .init(byteBuffer: ByteBuffer(string: "{\"error\":\"the warehouse could not be read\"}\n")))
            }
        }
    }
}
