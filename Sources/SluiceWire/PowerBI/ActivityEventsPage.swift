package import SluiceCore

/// One decoded answer of `GET …/admin/activityevents`.
package struct ActivityEventsPage: Sendable {
    /// The `activityEventEntities`, untyped objects whose fields depend on the activity.
    package var events: [JSONValue]
    package var continuationURI: String?
    /// Already URL-encoded by the API (`%2BRID%3A…`).
    package var continuationToken: String?
    /// In Microsoft's samples, not in the swagger; `true` ends the chain, `false` says nothing.
    package var lastResultSet: Bool

    package init(events: [JSONValue], continuationURI: String? = nil, continuationToken: String? = nil,
                lastResultSet: Bool = false) {
        self.events = events
        self.continuationURI = continuationURI
        self.continuationToken = continuationToken
        self.lastResultSet = lastResultSet
    }

    /// Decodes a page, failing with a message that names the step and what is wrong.
    package static func parse(_ body: [UInt8], step: String) throws(SluiceError) -> ActivityEventsPage {
        let json = try JSONBody.parse(body, step: step)
        guard case .object = json else {
            throw SluiceError(.badResponse, step: step, "expected a JSON object with 'activityEventEntities'")
        }
        var events: [JSONValue] = []
        switch json["activityEventEntities"] {
        case .array(let items): events = items
        case .none, .null: events = []
        default: throw SluiceError(.badResponse, step: step, "'activityEventEntities' is not an array")
        }
        return ActivityEventsPage(events: events,
                                  continuationURI: try text(json, "continuationUri", step: step),
                                  continuationToken: try text(json, "continuationToken", step: step),
                                  lastResultSet: json["lastResultSet"]?.boolValue ?? false)
    }

    /// A string field; null, absent and empty all mean "none".
    private static func text(_ json: JSONValue, _ key: String, step: String) throws(SluiceError) -> String? {
        switch json[key] {
        case .none, .null: return nil
        case .string(let s): return s.isEmpty ? nil : s
        default: throw SluiceError(.badResponse, step: step, "'\(key)' is neither a string nor null")
        }
    }
}
