import Hummingbird
import Synchronization

extension CitrixMonitorEmulator {
    /// Answers one Monitor request (`$metadata` or an entity set) and records it.
    func respond(to request: Request, entity: String) async throws -> Response {
        let number = journal.arrive()
        let customer = request.headers[HTTPFields.Element.Name("Citrix-CustomerId")!] ?? ""
        let overlapping = state.withLock { state -> Bool in
            if state.expireTokensAt.remove(number) != nil { tokens.expireAllTokens() }
            let busy = state.inFlight[customer, default: 0] > 0
            if busy { state.violations += 1 } else { state.inFlight[customer, default: 0] += 1 }
            return busy
        }
        if overlapping {
            let response = Self.citrixError(.tooManyRequests, kind: "tooManyRequests",
                                            "Only one API call is allowed for a tenant at a time")
            journal.record(number: number, request: request, status: response.status)
            return response
        }
        let response: Response
        do {
            try await Task.sleep(for: configuration.holdTime)
            response = try await answer(request, entity: entity, number: number, customer: customer)
        } catch {
            state.withLock { $0.inFlight[customer, default: 1] -= 1 }
            throw error
        }
        state.withLock { $0.inFlight[customer, default: 1] -= 1 }
        journal.record(number: number, request: request, status: response.status)
        return response
    }

    private func answer(_ request: Request, entity: String, number: Int, customer: String) async throws -> Response {
        let plan = faults.plan(forRequest: number)
        if let failure = plan.failure { return failure.response }
        if let refusal = authorizationRefusal(request, customer: customer) { return refusal }
        if let injected = state.withLock({ $0.odataErrors.removeValue(forKey: number) }) {
            return Self.odataError(HTTPResponse.Status(code: injected.status), code: "InternalError", injected.message)
        }
        if let origin = state.withLock({ $0.redirects.removeValue(forKey: number) }) {
            let target = origin + request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
            return Response(status: .temporaryRedirect, headers: [.location: target, .contentLength: "0"])
        }
        if plan.delay > .zero { try await Task.sleep(for: plan.delay) }
        if entity == "$metadata" {
            return Response(status: .ok, headers: [.contentType: "application/xml", HTTPFields.Element.Name("OData-Version")!: "4.0"],
                            body: .init(byteBuffer: ByteBuffer(string: CitrixMetadataDocument.text)))
        }
        guard let shape = CitrixCatalog.all.first(where: { $0.name == entity }),
              configuration.rowCounts[entity] != nil else {
            return Self.odataError(.notFound, code: "", "Resource not found for the segment '\(entity)'.")
        }
        let items = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        if items.contains(where: { $0.0 == "$skiptoken" }), state.withLock({ state -> Bool in
            guard state.brokenNextLinks > 0 else { return false }
            state.brokenNextLinks -= 1
            return true
        }) {
            return Self.odataError(.badRequest, code: "", "The skip token is no longer valid.")
        }
        let query: CitrixODataQuery
        do {
            query = try CitrixODataQuery.parse(items, shape: shape)
        } catch {
            return Self.odataError(.badRequest, code: "", "The query specified in the URI is not valid. \(error.message)")
        }
        var body = page(shape, query: query, request: request, items: items)
        if plan.bodyFault == .truncated {
            body = String(body.prefix(body.utf8.count / 2))
        }
        return Response(status: .ok, headers: [.contentType: "application/json; odata.metadata=minimal",
                                               HTTPFields.Element.Name("OData-Version")!: "4.0"],
                        body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    private func authorizationRefusal(_ request: Request, customer: String) -> Response? {
        let value = request.headers[.authorization] ?? ""
        // `CWSAuth bearer=<token>`; the scheme and the `bearer=` key are case-insensitive.
        let lower = value.lowercased()
        guard lower.hasPrefix("cwsauth bearer="), tokens.isValid(String(value.dropFirst("cwsauth bearer=".count))) else {
            return Self.citrixError(.unauthorized, kind: "authentication", "Missing or invalid authentication details")
        }
        guard !customer.isEmpty else {
            return Self.citrixError(.unauthorized, kind: "authentication", "Missing Citrix-CustomerId header")
        }
        guard customer == configuration.customerID else {
            return Self.citrixError(.forbidden, kind: "authorization", "Not authorized for this customer")
        }
        return nil
    }

    /// Renders one page of `shape` for `query`, with a `@odata.nextLink` when more rows follow.
    private func page(_ shape: CitrixEntitySetShape, query: CitrixODataQuery, request: Request,
                      items: [(String, String)]) -> String {
        let count = configuration.rowCounts[shape.name] ?? 0
        let index = Dictionary(shape.properties.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        var rows: [[CitrixCell]] = (1...max(1, count)).prefix(count).map { shape.row($0, rowContext(shape, row: $0)) }
        rows = rows.filter { cells in query.filter.allSatisfy { c in index[c.property].map { c.matches(cells[$0]) } ?? false } }
        if let order = query.orderBy, let column = index[order.property] {
            let keyed = rows.enumerated().map { ($0.offset, $0.element) }
            rows = keyed.sorted { a, b in
                let (x, y) = (a.1[column].number ?? 0, b.1[column].number ?? 0)
                if x != y { return order.descending ? x > y : x < y }
                return a.0 < b.0
            }.map(\.1)
        }
        if let top = query.top { rows = Array(rows.prefix(top)) }
        let size = state.withLock { $0.pageSize }
        let slice = rows.dropFirst(query.skip).prefix(size)
        var json = JSONText(reservingCapacity: 256 + slice.count * 400)
        json.raw("{\"@odata.context\":")
        json.string(origin(request) + basePath + "/$metadata#" + shape.name)
        json.raw(",\"value\":[")
        for (n, cells) in slice.enumerated() {
            if n > 0 { json.raw(",") }
            json.raw("{")
            for (p, property) in shape.properties.enumerated() {
                if p > 0 { json.raw(",") }
                json.string(property.name)
                json.raw(":" + cells[p].json)
            }
            json.raw("}")
        }
        json.raw("]")
        if query.skip + slice.count < rows.count {
            let kept = items.filter { $0.0 != "$skiptoken" }.map { "\($0.0)=\(Self.encode($0.1))" }
            let next = origin(request) + request.uri.path + "?" + (kept + ["$skiptoken=\(query.skip + slice.count)"])
                .joined(separator: "&")
            json.raw(",\"@odata.nextLink\":")
            json.string(next)
        }
        json.raw("}")
        return json.text
    }

    private func origin(_ request: Request) -> String {
        if let forced = state.withLock({ $0.nextLinkOrigin }) { return forced }
        return "http://" + (request.head.authority ?? "127.0.0.1")
    }

    private static func encode(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return out
    }

    /// `{"error":{"code","message"}}`, the OData error shape.
    static func odataError(_ status: HTTPResponse.Status, code: String, _ message: String) -> Response {
        .json("{\"error\":{\"code\":" + JSONText.quoted(code) + ",\"message\":" + JSONText.quoted(message) + "}}",
              status: status)
    }

    /// Citrix Cloud's common error body.
    static func citrixError(_ status: HTTPResponse.Status, kind: String, _ detail: String) -> Response {
        .json("{\"type\":\"https://errors-api.cloud.com/common/\(kind)\",\"detail\":" + JSONText.quoted(detail) + "}",
              status: status)
    }
}
