import Hummingbird
import Foundation
import FoundationEssentials
import Synchronization

extension PowerBIActivityEmulator {
    /// Answers one activity events request and records it in the journal.
    func respond(to request: Request) async throws -> Response {
        let number = journal.arrive()
        let plan = faults.plan(forRequest: number)
        var response = answer(request, number: number, plan: plan)
        if plan.delay > .zero, response.status == .ok { try await Task.sleep(for: plan.delay) }
        if plan.bodyFault == .truncated, response.status == .ok {
            response = .json(#"{"activityEventEntities":[{"Id":"#)
        }
        journal.record(number: number, request: request, status: response.status)
        return response
    }

    private func answer(_ request: Request, number: Int, plan: FaultKnobs.Plan) -> Response {
        if let failure = plan.failure {
            guard failure.status == 429 else { return failure.response }
            let seconds = failure.retryAfter ?? "3600"
            var headers: HTTPFields = [:]
            headers[.retryAfter] = seconds
            return .json("{\"message\":\"You have exceeded the amount of requests allowed in the current time frame and "
                             + "further requests will fail. Retry in \(seconds) seconds.\"}",
                         status: .tooManyRequests, headers: headers)
        }
        if knobs.withLock({ $0.expireTokensAtRequest }) == number { tokenEndpoint.expireAllTokens() }
        guard let token = AuthorizationHeader.bearerToken(request.headers[.authorization]),
            tokenEndpoint.isValid(token)
        else {
            return .json(#"{"error":{"code":"PowerBINotAuthorizedException","pbi.error":{"code":"PowerBINotAuthorizedException","parameters":{},"details":[]}}}"#,
                         status: .unauthorized, headers: [.wwwAuthenticate: "Bearer"])
        }
        if let status = knobs.withLock({ $0.adminAPIsDenied }) {
            return .json(#"{"error":{"code":"PowerBINotAuthorizedException","pbi.error":{"code":"PowerBINotAuthorizedException","parameters":{},"details":[]}}}"#,
                         status: HTTPResponse.Status(code: status))
        }
        switch chainPosition(FormEncoding.parse(request.uri.query ?? "")) {
        case .failure(let refusal): return refusal.response
        case .success(let (position, first)):
            if !first, breaksChain(onDay: position.startMillis / 86_400_000) {
                return Refusal(code: "InvalidContinuationToken", message: "The continuation token has expired").response
            }
            return page(position, first: first, authority: request.head.authority)
        }
    }

    /// Whether this continuation of a chain on `day` is refused (see ``breakChains(daysAgo:times:)``).
    private func breaksChain(onDay day: Int64) -> Bool {
        knobs.withLock { knobs in
            guard knobs.brokenDay == day, knobs.brokenChainsLeft > 0 else { return false }
            knobs.brokenChainsLeft -= 1
            return true
        }
    }

    /// A 400 with a Power BI style JSON error.
    struct Refusal: Error {
        var code: String
        var message: String
        var response: Response {
            .json("{\"error\":{\"code\":\(JSONText.quoted(code)),\"message\":\(JSONText.quoted(message))}}",
                  status: .badRequest)
        }
    }

    /// Reads the query: a continuation token, or both dates (quoted, same UTC day) and an optional `$filter`.
    func chainPosition(_ query: [(name: String, value: String)]) -> Result<(PowerBIContinuationToken, Bool), Refusal> {
        func value(_ name: String) -> String? { query.first { $0.name == name }?.value }
        let start = value("startDateTime")
        let end = value("endDateTime")
        if let tokenText = value("continuationToken") {
            guard start == nil, end == nil else {
                return .failure(Refusal(code: "InvalidRequest",
                                        message: "Provide either a continuation token or both a start and end date time"))
            }
            guard let token = PowerBIContinuationToken(raw: Self.unquoted(tokenText) ?? tokenText), !token.dead else {
                return .failure(Refusal(code: "InvalidContinuationToken", message: "The continuation token is not valid"))
            }
            return .success((token, false))
        }
        guard let start, let end else {
            return .failure(Refusal(code: "InvalidRequest",
                                    message: "Provide either a continuation token or both a start and end date time"))
        }
        guard let startText = Self.unquoted(start), let endText = Self.unquoted(end) else {
            return .failure(Refusal(code: "InvalidRequest",
                                    message: "StartDateTime and EndDateTime should be wrapped in single quotes"))
        }
        guard let startMillis = EmulatorTimestamp.parse(startText), let endMillis = EmulatorTimestamp.parse(endText),
            startText.count > 10, endText.count > 10
        else {
            return .failure(Refusal(code: "InvalidRequest", message: "Dates must be in ISO 8601 compliant UTC format"))
        }
        guard EmulatorTimestamp.day(millis: startMillis) == EmulatorTimestamp.day(millis: endMillis),
            startMillis <= endMillis
        else {
            return .failure(Refusal(code: "InvalidRequest",
                                    message: "StartDateTime and EndDateTime must be in the same UTC day"))
        }
        let filter = value("$filter")
        if let filter, Self.filterTerms(filter) == nil {
            return .failure(Refusal(code: "InvalidRequest",
                                    message: "Filter supports only 'Activity' and 'UserId' with 'eq' and 'and'"))
        }
        return .success((PowerBIContinuationToken(startMillis: startMillis, endMillis: endMillis, offset: 0,
                                                  filter: filter), true))
    }

    /// Renders the page at `position`, with the token that continues the chain.
    func page(_ position: PowerBIContinuationToken, first: Bool, authority: String?) -> Response {
        let terms = position.filter.flatMap(Self.filterTerms) ?? []
        let matching = events.filter { event in
            event.millis >= position.startMillis && event.millis <= position.endMillis
                && terms.allSatisfy { field, wanted in
                    (field == "activity" ? event.activity : event.userID).lowercased() == wanted
                }
        }
        var next = position
        var slice: ArraySlice<PowerBIActivityEvent> = []
        var last = false
        if first, configuration.emptyFirstPage {
            next.offset = 0
        } else {
            let from = min(position.offset, matching.count)
            slice = matching[from..<min(matching.count, from + max(1, configuration.pageSize))]
            next.offset = from + slice.count
            switch configuration.ending {
            case .nullTokenPage:
                if slice.isEmpty { return .json(Self.documentedLastPage) }
            case .lastResultSet:
                last = next.offset >= matching.count
                next.dead = last
            }
        }
        var json = JSONText(reservingCapacity: 256 + slice.count * 700)
        json.raw("{\"activityEventEntities\":[")
        for (index, event) in slice.enumerated() {
            if index > 0 { json.raw(",") }
            event.write(to: &json)
        }
        json.raw("],\"continuationUri\":")
        if configuration.continuation == .uriAndToken {
            let base = knobs.withLock { $0.continuationBase } ?? "http://" + (authority ?? "127.0.0.1")
            var uri = base + Self.apiPath + "/admin/activityevents?continuationToken='" + next.encoded + "'"
            if let filter = next.filter { uri += "&$filter=" + PowerBIContinuationToken.percentEncode(filter) }
            json.string(uri)
        } else {
            json.raw("null")
        }
        json.raw(",\"continuationToken\":")
        json.string(next.encoded)
        json.raw(",\"lastResultSet\":" + (last ? "true" : "false") + "}")
        return .json(json.text)
    }

    /// Microsoft's final page: no events, no token, and `lastResultSet` still false.
    static let documentedLastPage =
        #"{"activityEventEntities":[],"continuationUri":null,"continuationToken":null,"lastResultSet":false}"#

    /// The text between single quotes, or nil when `text` is not wrapped in them.
    static func unquoted(_ text: String) -> String? {
        guard text.count >= 2, text.hasPrefix("'"), text.hasSuffix("'") else { return nil }
        return String(text.dropFirst().dropLast())
    }

    /// `Activity eq 'ViewReport' and UserId eq 'x'` → [("activity", "viewreport"), ("userid", "x")]; nil when
    /// the filter uses anything else.
    static func filterTerms(_ filter: String) -> [(String, String)]? {
        var terms: [(String, String)] = []
        for clause in filter.components(separatedBy: " and ") {
            let parts = clause.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 2)
            guard parts.count == 3, parts[1] == "eq", let value = unquoted(String(parts[2])) else { return nil }
            let field = parts[0].lowercased()
            guard field == "activity" || field == "userid" else { return nil }
            terms.append((field, value.lowercased()))
        }
        return terms
    }
}
