import Hummingbird
import Synchronization

extension CursorFeedEmulator {
    /// A page request after its parameters were read.
    struct PageRequest {
        var after: CursorFeedTable.Key
        var sinceMillis: Int64?
        var pageSize: Int
    }

    /// Answers one dataset request and records it in the journal.
    func respond(to request: Request, dataset: String) async throws -> Response {
        let number = journal.arrive()
        let plan = faults.plan(forRequest: number)
        let response = try await answer(request, dataset: dataset, plan: plan)
        journal.record(number: number, request: request, status: response.status)
        return response
    }

    private func answer(_ request: Request, dataset: String, plan: FaultKnobs.Plan) async throws -> Response {
        if let failure = plan.failure { return failure.response }
        let configuration = state.withLock { $0.configuration }
        guard dataset == configuration.dataset else { return .jsonError("unknown_dataset", status: .notFound) }
        if let refusal = Self.authorizationRefusal(request, expected: configuration.expectedToken) { return refusal }
        let page: PageRequest
        switch Self.pageRequest(request, configuration: configuration) {
        case .success(let parsed): page = parsed
        case .failure(let refusal): return refusal.response
        }
        if plan.delay > .zero { try await Task.sleep(for: plan.delay) }
        let body = renderPage(page)
        switch plan.bodyFault {
        case nil:
            return .json(body)
        case .truncated:
            // Any proper prefix of a JSON object is invalid JSON; half of it looks like a dropped connection.
            let bytes = Array(body.utf8)
            return .json(String(decoding: bytes.prefix(bytes.count / 2), as: UTF8.self))
        case .oversized(let size):
            return Self.oversizedPage(bytes: size)
        }
    }

    private static func authorizationRefusal(_ request: Request, expected: String?) -> Response? {
        guard let expected else { return nil }
        guard let token = AuthorizationHeader.bearerToken(request.headers[.authorization]) else {
            return .jsonError("unauthorized", status: .unauthorized, headers: [.wwwAuthenticate: "Bearer realm=\"feed\""])
        }
        guard token == expected else {
            return .jsonError(
                "invalid_token",
                status: .unauthorized,
                headers: [.wwwAuthenticate: "Bearer realm=\"feed\", error=\"invalid_token\""]
            )
        }
        return nil
    }

    /// A 400 answer naming the parameter that was wrong.
    struct Refusal: Error {
        var code: String
        var response: Response { .jsonError(code, status: .badRequest) }
    }

    static func pageRequest(_ request: Request, configuration: Configuration) -> Result<PageRequest, Refusal> {
        let query = request.uri.queryParameters
        func value(_ name: String) -> String? {
            query[name[...]].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        }
        var pageSize = configuration.defaultPageSize
        if let text = value(configuration.pageSizeParam) {
            guard let size = Int(text), size > 0 else { return .failure(Refusal(code: "invalid_page_size")) }
            pageSize = min(size, configuration.maxPageSize)
        }
        var sinceMillis: Int64?
        if let text = value(configuration.sinceParam) {
            guard let millis = EmulatorTimestamp.parse(text) else {
                return .failure(Refusal(code: "invalid_\(configuration.sinceParam)"))
            }
            sinceMillis = millis
        }
        guard let cursorText = value(configuration.cursorParam) else {
            // ids start at 1, so "after (since, 0)" is "updated at or after since".
            let after = CursorFeedTable.Key(millis: sinceMillis ?? .min, id: 0)
            return .success(PageRequest(after: after, sinceMillis: sinceMillis, pageSize: pageSize))
        }
        guard let cursor = CursorFeedCursor(encoded: cursorText) else { return .failure(Refusal(code: "invalid_cursor")) }
        if let sinceMillis, sinceMillis != cursor.sinceMillis { return .failure(Refusal(code: "cursor_mismatch")) }
        return .success(PageRequest(after: cursor.after, sinceMillis: cursor.sinceMillis, pageSize: pageSize))
    }

    /// Reads the page under the lock, then renders it outside it.
    func renderPage(_ page: PageRequest) -> String {
        let (rows, more, updatedField) = state.withLock { state in
            let keys = state.table.keys(after: page.after, limit: page.pageSize + 1)
            let growth = state.configuration.schemaGrowthAtRow
            let rows = keys.prefix(page.pageSize).map {
                CursorFeedRow(id: $0.id, key: $0, edit: state.table.edits[$0.id], growthAtRow: growth)
            }
            return (rows, keys.count > page.pageSize, state.configuration.updatedField)
        }
        var json = JSONText(reservingCapacity: 64 + rows.count * 320)
        json.raw("{\"rows\":[")
        for (index, row) in rows.enumerated() {
            if index > 0 { json.raw(",") }
            row.write(to: &json, updatedField: updatedField)
        }
        json.raw("],\"nextCursor\":")
        let last = rows.last.map { CursorFeedTable.Key(millis: $0.updatedMillis, id: $0.id) }
        json.optionalString(more ? last.map { CursorFeedCursor(after: $0, sinceMillis: page.sinceMillis).encoded } : nil)
        json.raw(",\"schemaVersion\":")
        json.raw(rows.contains(where: \.hasRegion) ? "2" : "1")
        json.raw("}")
        return json.text
    }

    /// A well-formed page whose single row holds `bytes` of filler, streamed in 64 KiB chunks.
    private static func oversizedPage(bytes: Int) -> Response {
        let head = ByteBuffer(string: "{\"rows\":[{\"id\":1,\"name\":\"")
        let tail = ByteBuffer(string: "\"}],\"nextCursor\":null,\"schemaVersion\":1}")
        let chunk = ByteBuffer(repeating: UInt8(ascii: "x"), count: 65_536)
        let total = head.readableBytes + bytes + tail.readableBytes
        let body = ResponseBody(contentLength: total) { writer in
            try await writer.write(head)
            var remaining = bytes
            while remaining > 0 {
                let size = min(remaining, chunk.readableBytes)
                try await writer.write(chunk.getSlice(at: 0, length: size) ?? chunk)
                remaining -= size
            }
            try await writer.write(tail)
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: body)
    }
}
