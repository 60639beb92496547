import Foundation
import Hummingbird
import SluiceEmulators
import Synchronization

/// A tiny loopback server for what no emulator can be made to send: a crafted page, a redirect to another
/// host, an endless-looking body without `Content-Length`. It also serves as a "stranger" host that records
/// whether anything (and any `Authorization` header) reached it.
final class CraftedServer: Emulator {
    /// What every `GET` under the base path is answered with.
    enum Answer: Sendable {
        /// 200 with these bytes as `application/json`.
        case body([UInt8])
        /// `status` (302 by default) to `origin` + the request's path and query.
        case redirect(origin: String, status: Int = 302)
        /// 200, chunked, no `Content-Length`: `{"rows":[{"id":1,"name":"xxx…"}],…}` with `bytes` of filler.
        case chunked(bytes: Int)
    }

    /// One request as it arrived.
    struct Seen: Sendable, CustomStringConvertible {
        var path: String
        var authorization: Bool
        /// Every header name, lower-cased.
        var headerNames: Set<String> = []
        /// The body's size in bytes.
        var bodyBytes = 0
        var description: String { "\(path) auth=\(authorization) headers=\(headerNames.sorted()) body=\(bodyBytes)" }
    }

    let basePath: String
    private let answer: Mutex<Answer>
    private let seen = Mutex<[Seen]>([])

    init(basePath: String = "/api/bi/v1", _ answer: Answer) {
        self.basePath = basePath
        self.answer = Mutex(answer)
    }

    /// Every request that reached this server.
    var requests: [Seen] { seen.withLock { $0 } }

    func setAnswer(_ new: Answer) { answer.withLock { $0 = new } }

    func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("**") { request, _ in try await self.respond(request) }
        router.post("**") { request, _ in try await self.respond(request) }
    }

    private func respond(_ request: Request) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 1 << 20)
        let names = Set(request.headers.map { $0.name.canonicalName.lowercased() })
        seen.withLock {
            $0.append(Seen(path: request.uri.path, authorization: request.headers[.authorization] != nil,
                           headerNames: names, bodyBytes: body.readableBytes))
        }
        switch answer.withLock({ $0 }) {
        case .body(let bytes):
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        case .redirect(let origin, let status):
            let query = request.uri.query.map { "?" + $0 } ?? ""
            return Response(status: HTTPResponse.Status(code: status),
                            headers: [.location: origin + request.uri.path + query, .contentLength: "0"])
        case .chunked(let bytes):
            let body = ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "{\"rows\":[{\"id\":1,\"name\":\""))
                let chunk = ByteBuffer(repeating: UInt8(ascii: "x"), count: 1 << 20)
                for _ in 0..<(bytes >> 20) { try await writer.write(chunk) }
                try await writer.write(ByteBuffer(string: "\"}],\"nextCursor\":null,\"schemaVersion\":1}"))
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: body)
        }
    }
}
