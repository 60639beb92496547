import Foundation
package import Hummingbird
import NIOFoundationEssentialsCompat
import Synchronization

extension WS1Emulator {
    /// Mounts the token route and the three report routes.
    package func addRoutes(to router: Router<BasicRequestContext>) {
        router.post("/oauth/token") { request, _ in try await self.tokenEndpoint.respond(to: request) }
        router.post("/:version/reports/:report/downloads/search") { request, context in
            try await self.serve(request, version: context.parameters.get("version")) {
                try await self.search(request, report: context.parameters.get("report") ?? "")
            }
        }
        router.post("/:version/reports/:report/run") { request, context in
            try await self.serve(request, version: context.parameters.get("version")) {
                self.run(report: context.parameters.get("report") ?? "")
            }
        }
        router.get("/:version/reports/tracking/:id/download") { request, context in
            try await self.serve(request, version: context.parameters.get("version")) {
                self.redirect(download: context.parameters.get("id") ?? "")
            }
        }
    }

    /// Counts the request, applies faults, checks version and token, then answers with `answer`.
    private func serve(_ request: Request, version: String?, _ answer: () async throws -> Response) async throws -> Response {
        let number = journal.arrive()
        let plan = faults.plan(forRequest: number)
        let response: Response
        if let failure = plan.failure {
            response = failure.response
        } else if version != "v1" && version != "v2" {
            response = Self.error(404, "RESOURCE-NOT-FOUND", "unknown API version")
        } else if let token = AuthorizationHeader.bearerToken(request.headers[.authorization]),
                  tokenEndpoint.isValid(token) {
            if plan.delay > .zero { try await Task.sleep(for: plan.delay) }
            if let status = state.withLock({ $0.unsharedStatus }) {
                response = status == 404
                    ? Self.error(404, "RESOURCE-NOT-FOUND", "report not found")
                    : Self.error(status, "AUTHORIZATION-FAILED", "authorization failed")
            } else {
                response = try await answer()
            }
        } else {
            response = Self.error(401, "UNAUTHORIZED", "Likely your access-token needs to be renewed")
        }
        journal.record(number: number, request: request, status: response.status)
        return response
    }

    private func search(_ request: Request, report: String) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 64 * 1024)
        let json = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
        let offset = max(0, (json["offset"] as? Int) ?? 0)
        let pageSize = min(1000, max(1, (json["page_size"] as? Int) ?? 100))
        let (entries, total) = state.withLock { state -> ([Entry], Int)? in
            guard report == state.configuration.reportID else { return nil }
            // A list request is a poll: runs in progress move towards COMPLETED.
            for index in state.entries.indices {
                guard let left = state.entries[index].pollsLeft else { continue }
                if left <= 1 {
                    state.entries[index].status = "COMPLETED"
                    state.entries[index].pollsLeft = nil
                    state.entries[index].modifiedMillis = max(state.entries[index].modifiedMillis,
                                                              EmulatorTimestamp.millis(of: Date()))
                } else {
                    state.entries[index].pollsLeft = left - 1
                }
            }
            return (Array(state.entries.dropFirst(offset).prefix(pageSize)), state.entries.count)
        } ?? ([], -1)
        guard total >= 0 else { return Self.error(404, "RESOURCE-NOT-FOUND", "report not found") }
        var out = JSONText(reservingCapacity: 256 + entries.count * 400)
        if let forced = state.withLock({ $0.reflectedOffset }) {
            out.raw("{\"data\":{\"offset\":\(forced),\"page_size\":\(pageSize),\"total_count\":\(forced),\"results\":[")
        } else {
            out.raw("{\"data\":{\"offset\":\(offset),\"page_size\":\(pageSize),\"total_count\":\(total),\"results\":[")
        }
        let report = state.withLock { $0.configuration.reportID }
        for (index, entry) in entries.enumerated() {
            if index > 0 { out.raw(",") }
            out.raw("{\"created_at\":")
            out.string(EmulatorTimestamp.iso8601(millis: entry.createdMillis))
            out.raw(",\"created_by\":\"f65716f4-0d44-4c50-8cca-05d1306fbf77\",\"id\":")
            out.string(entry.id)
            out.raw(",\"location\":")
            out.string("reports/org/\(report)/\(entry.id).csv")
            out.raw(",\"modified_at\":")
            out.string(EmulatorTimestamp.iso8601(millis: entry.modifiedMillis))
            out.raw(",\"processing_time_millis\":12660,\"report_id\":")
            out.string(report)
            out.raw(",\"report_schedule_id\":")
            out.string(entry.scheduleID)
            out.raw(",\"status\":")
            out.string(entry.status)
            out.raw("}")
        }
        out.raw("]}}")
        return .json(out.text)
    }

    private func run(report: String) -> Response {
        let now = EmulatorTimestamp.millis(of: Date())
        let made = state.withLock { state -> (schedule: String, spec: WS1CSVSpec, polls: Int)? in
            guard report == state.configuration.reportID else { return nil }
            state.created += 1
            return (Self.uuid(seed: UInt64(state.created) &* 31 &+ UInt64(now)), state.configuration.runCSV,
                    state.configuration.completeAfterPolls)
        }
        guard let made else { return Self.error(404, "RESOURCE-NOT-FOUND", "report not found") }
        let id = addDownload(status: "PENDING", modifiedAt: Date(), csv: made.spec, scheduleID: made.schedule)
        state.withLock { state in
            for index in state.entries.indices where state.entries[index].id == id {
                state.entries[index].pollsLeft = made.polls == Int.max ? nil : max(1, made.polls)
                if made.polls == Int.max { state.entries[index].status = "IN_PROGRESS" }
            }
        }
        let stamp = EmulatorTimestamp.iso8601(millis: now)
        var out = JSONText()
        out.raw("{\"data\":{\"active\":true,\"created_at\":")
        out.string(stamp)
        out.raw(",\"cron_expression_detail\":{\"frequency\":\"ONCE\"},\"id\":")
        out.string(made.schedule)
        out.raw(",\"name\":\"Single run report request\",\"report_id\":")
        out.string(report)
        out.raw(",\"schedule_type\":\"ADHOC\",\"start\":")
        out.string(stamp)
        out.raw("}}")
        return .json(out.text)
    }

    private func redirect(download id: String) -> Response {
        let found = state.withLock { state -> (String?, String)? in
            guard let entry = state.entries.first(where: { $0.id == id }), entry.status == "COMPLETED" else { return nil }
            state.downloadRequests.append(id)
            return (state.storageURL, state.configuration.reportID)
        }
        guard let (storageURL, report) = found else { return Self.error(404, "RESOURCE-NOT-FOUND", "download not found") }
        guard let storageURL else { return Self.error(500, "INTERNAL", "the emulator has no storage URL") }
        let expires = Int64(Date().timeIntervalSince1970) + 3600
        let location = "\(storageURL)/reports/\(report)/\(id).csv?Expires=\(expires)"
            + "&Signature=\(WS1StorageEmulator.signature(for: id))&Key-Pair-Id=APKAEMULATOR"
        return Response(status: .found, headers: [.location: location, .contentLength: "0"])
    }

    /// WS1's error shape: `{"errors":[{"code","message"}]}`.
    static func error(_ status: Int, _ code: String, _ message: String) -> Response {
        var out = JSONText()
        out.raw("{\"errors\":[{\"code\":")
        out.string(code)
        out.raw(",\"message\":")
        out.string(message)
        out.raw("}]}")
        return .json(out.text, status: HTTPResponse.Status(code: status))
    }
}
