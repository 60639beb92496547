import Foundation
package import Hummingbird
import Synchronization

/// The signed-URL storage behind WS1's download redirect: `GET /reports/{report}/{id}.csv?Expires&Signature…`.
///
/// Serve it on a different loopback host (127.0.0.2) than the API so the client sees a cross-host redirect.
/// It answers 403 to a wrong signature, records (in `journal`) whether an `Authorization` header arrived,
/// which it must not, and streams the CSV: small bodies with `Content-Length`, big ones chunked, files from disk.
package final class WS1StorageEmulator: Emulator {
    private let specs = Mutex<[String: WS1CSVSpec]>([:])
    private let misbehaviour = Mutex<Misbehaviour?>(nil)

    /// Ways the storage host can misbehave besides error statuses.
    package enum Misbehaviour: Sendable, Equatable {
        /// A 403 whose body echoes the request's signature, as S3 and CloudFront do (`<SignatureProvided>`).
        case denyEchoingSignature
        /// Sends the body `bytes` at a time with `interval` between writes: a host that never quite stops.
        case trickle(bytes: Int, interval: Duration)
    }
    /// Requests to the storage route; `authorizationScheme` is nil when no `Authorization` header arrived.
    package let journal = RequestJournal()
    /// Faults for storage requests (error statuses, delays).
    package let faults = FaultKnobs()
    /// Bodies larger than this many rows are generated while they stream instead of in memory.
    package static let inMemoryRows = 100_000

    package init() {}

    /// Makes the storage misbehave from now on (nil: behave).
    package func setMisbehaviour(_ value: Misbehaviour?) {
        misbehaviour.withLock { $0 = value }
    }

    /// How many requests carried an `Authorization` header (a client leaking its API token would show here).
    package var requestsWithAuthorization: Int {
        journal.requests.filter { $0.authorizationScheme != nil }.count
    }

    func register(_ spec: WS1CSVSpec, forDownload id: String) {
        specs.withLock { $0[id] = spec }
    }

    package func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("/reports/:report/:file") { request, context in
            let number = self.journal.arrive()
            let plan = self.faults.plan(forRequest: number)
            let response = self.answer(request, file: context.parameters.get("file") ?? "", plan: plan)
            if plan.delay > .zero { try await Task.sleep(for: plan.delay) }
            self.journal.record(number: number, request: request, status: response.status)
            return response
        }
    }

    /// The `Signature` value the storage expects (and issues) for a download, so tests can look for it.
    package static func signature(forDownload id: String) -> String { signature(for: id) }

    static func signature(for id: String) -> String {
        String(WS1CSVGenerator.mix(UInt64(truncatingIfNeeded: id.utf8.reduce(0) { $0 &* 31 &+ Int($1) })), radix: 36)
    }

    private func answer(_ request: Request, file: String, plan: FaultKnobs.Plan) -> Response {
        if let failure = plan.failure { return failure.response }
        let id = file.hasSuffix(".csv") ? String(file.dropLast(4)) : file
        let mode = misbehaviour.withLock { $0 }
        if mode == .denyEchoingSignature {
            let signature = request.uri.queryParameters["Signature"].map(String.init) ?? ""
            let body = "<Error><Code>AccessDenied</Code><Message>Request has expired</Message>"
                + "<SignatureProvided>\(signature)</SignatureProvided></Error>"
            return Response(status: .forbidden, headers: [.contentType: "application/xml"],
                            body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        guard request.uri.queryParameters["Signature"].map(String.init) == Self.signature(for: id) else {
            return Response(status: .forbidden, body: .init(byteBuffer: ByteBuffer(string: "<Error>AccessDenied</Error>")))
        }
        guard let spec = specs.withLock({ $0[id] }) else {
            return Response(status: .notFound, body: .init(byteBuffer: ByteBuffer(string: "<Error>NoSuchKey</Error>")))
        }
        var headers: HTTPFields = [.contentType: "application/octet-stream"]
        if let path = spec.file { return Self.fileResponse(path, headers: headers) }
        let generator = WS1CSVGenerator(spec)
        if case .trickle(let bytes, let interval) = mode {
            let body = generator.body()
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                var offset = 0
                while offset < body.count {
                    let end = min(body.count, offset + max(1, bytes))
                    try await writer.write(ByteBuffer(bytes: body[offset..<end]))
                    offset = end
                    try await Task.sleep(for: interval)
                }
                try await writer.finish(nil)
            })
        }
        if spec.rows <= Self.inMemoryRows || spec.fault == .truncated {
            let body = generator.body()
            headers[.contentLength] = String(body.count)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        let body = ResponseBody { writer in
            var chunk = generator.head()
            chunk.reserveCapacity(1 << 20)
            for row in 1...spec.rows {
                generator.appendRow(row, to: &chunk)
                if chunk.count >= 1 << 20 {
                    try await writer.write(ByteBuffer(bytes: chunk))
                    chunk.removeAll(keepingCapacity: true)
                }
            }
            try await writer.write(ByteBuffer(bytes: chunk))
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// Streams a file in 1 MiB reads, with its size as `Content-Length`.
    private static func fileResponse(_ path: String, headers: HTTPFields) -> Response {
        guard let handle = FileHandle(forReadingAtPath: path),
              let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int else {
            return Response(status: .notFound)
        }
        let body = ResponseBody(contentLength: size) { writer in
            defer { try? handle.close() }
            while let data = try handle.read(upToCount: 1 << 20), !data.isEmpty {
                try await writer.write(ByteBuffer(bytes: data))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}
