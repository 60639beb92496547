import Hummingbird
import SluiceEmulators
import Synchronization

/// Responses recorded by URI during a warm-up run and served again byte for byte.
///
/// The upsert benchmark compares Sluice with a loop that only binds and steps; an emulator rendering a
/// million rows of JSON on the same two cores during the measurement would charge its own work to Sluice
/// (it took half the CPU). Replayed pages cost the server a copy, as pages from a remote API would.
final class ReplayCache: Sendable {
    struct Recorded: Sendable {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: ByteBuffer
    }

    private let responses = Mutex<[String: Recorded]>([:])

    /// Responses held, and their body bytes.
    var size: (responses: Int, bytes: Int) {
        responses.withLock { ($0.count, $0.values.reduce(0) { $0 + $1.body.readableBytes }) }
    }

    func response(for uri: String) -> Recorded? { responses.withLock { $0[uri] } }

    func record(_ recorded: Recorded, for uri: String) { responses.withLock { $0[uri] = recorded } }
}

/// Records every successful response in `cache` the first time and replays it afterwards
/// (`WrappedEmulator(inner: emulator, middleware: Replay(cache: cache))`).
struct Replay: RouterMiddleware {
    typealias Context = BasicRequestContext
    let cache: ReplayCache

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        let uri = request.uri.description
        if let recorded = cache.response(for: uri) {
            return Response(status: recorded.status, headers: recorded.headers, body: ResponseBody(byteBuffer: recorded.body))
        }
        let response = try await next(request, context)
        guard response.status == .ok else { return response }
        let collector = BodyCollector()
        try await response.body.write(collector)
        cache.record(.init(status: response.status, headers: response.headers, body: collector.buffer), for: uri)
        return Response(status: response.status, headers: response.headers, body: ResponseBody(byteBuffer: collector.buffer))
    }
}

/// Gathers a response body into one buffer.
private final class BodyCollector: ResponseBodyWriter {
    var buffer = ByteBuffer()

    func write(_ part: ByteBuffer) async throws {
        var part = part
        buffer.writeBuffer(&part)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
