import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A request as the loopback test server saw it.
struct SeenRequest: Sendable {
    var method: String
    /// Path and query, as sent.
    var target: String
    /// Header names lowercased.
    var headers: [String: String]
    var body: [UInt8]

    var path: String { String(target.prefix(while: { $0 != "?" })) }
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// What the test server answers.
struct Reply: Sendable {
    var status: Int
    var headers: [(String, String)] = []
    var body: [UInt8] = []
    /// When set, the body is sent in these chunks without a Content-Length (chunked encoding).
    var chunks: [[UInt8]]?

    static func text(_ status: Int, _ text: String, headers: [(String, String)] = []) -> Reply {
        Reply(status: status, headers: headers, body: Array(text.utf8))
    }
}

/// Every request one server received, in order.
final class RequestLog: Sendable {
    private let seen = Mutex<[SeenRequest]>([])

    func append(_ request: SeenRequest) { seen.withLock { $0.append(request) } }
    var all: [SeenRequest] { seen.withLock { $0 } }
    var count: Int { seen.withLock { $0.count } }
}

/// A Hummingbird server on a loopback address and a free port, alive for the duration of `body`.
enum TestServer {
    /// Runs a server on `host` (127.0.0.1 or 127.0.0.2) that answers every request with `handler`; `body`
    /// gets the base URL (`http://127.0.0.1:PORT`) and the request log.
    static func run<Result>(
        host: String = "127.0.0.1",
        handler: @escaping @Sendable (SeenRequest) async -> Reply,
        _ body: (String, RequestLog) async throws -> Result
    ) async throws -> Result {
        let log = RequestLog()
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            var request = request
            let bytes = try await request.collectBody(upTo: 4 * 1024 * 1024)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            let seen = SeenRequest(method: request.method.rawValue, target: request.uri.description, headers: headers,
                                   body: Array(bytes.readableBytesView))
            log.append(seen)
            return response(for: await handler(seen))
        }
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname(host, port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: Logger(label: "test-server", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else { throw TestServerError.didNotStart }
            let result = try await body("http://\(host):\(port)", log)
            group.cancelAll()
            return result
        }
    }

    private static func response(for reply: Reply) -> Response {
        var fields = HTTPFields()
        for (name, value) in reply.headers {
            if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
        }
        let status = HTTPResponse.Status(code: reply.status)
        if let chunks = reply.chunks {
            return Response(status: status, headers: fields, body: ResponseBody { writer in
                for chunk in chunks { try await writer.write(ByteBuffer(bytes: chunk)) }
                try await writer.finish(nil)
            })
        }
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: reply.body)))
    }
}

enum TestServerError: Error {
    case didNotStart
}
