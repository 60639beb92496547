package import SluiceCore

/// One decoded page of a `{ rows, nextCursor, schemaVersion }` feed.
package struct FeedPage: Sendable {
    package var rows: [JSONValue]
    /// nil (or empty) ends the feed.
    package var nextCursor: String?
    package var schemaVersion: Int?

    /// Decodes a page, failing with a message that names the step and what is wrong.
    package static func parse(_ body: [UInt8], step: String) throws(SluiceError) -> FeedPage {
        let json = try JSONBody.parse(body, step: step)
        guard case .object = json else {
            throw SluiceError(.badResponse, step: step, "expected a JSON object with 'rows', got something else")
        }
        guard let rowsValue = json["rows"] else {
            throw SluiceError(.badResponse, step: step, "the page has no 'rows' array")
        }
        guard case .array(let rows) = rowsValue else {
            throw SluiceError(.badResponse, step: step, "'rows' is not an array")
        }
        var next: String?
        switch json["nextCursor"] {
        case .string(let s) where !s.isEmpty: next = s
        case .integer(let i): next = String(i)
        case .none, .null, .string: next = nil
        default: throw SluiceError(.badResponse, step: step, "'nextCursor' is neither a string nor null")
        }
        let version = json["schemaVersion"]?.int64Value.map { Int($0) }
        return FeedPage(rows: rows, nextCursor: next, schemaVersion: version)
    }
}
