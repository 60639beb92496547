package import SluiceCore

/// One decoded Monitor OData page: `{"@odata.context": …, "value": [...], "@odata.nextLink": "…"}`.
package struct CitrixPage {
    package var rows: [JSONValue]
    /// The next page's URL; nil ends the chain.
    package var nextLink: String?

    /// Decodes a page. An OData error body (`{"error":{"code","message"}}`, even with status 200) and
    /// malformed JSON fail with a message that names the step; `@odata.nextLink` is matched case-insensitively
    /// because third-party clients met other spellings.
    package static func parse(_ body: [UInt8], step: String) throws(SluiceError) -> CitrixPage {
        let json = try JSONBody.parse(body, step: step)
        guard case .object(let pairs) = json else {
            throw SluiceError(.badResponse, step: step, "expected a JSON object with 'value', got something else")
        }
        if let error = json["error"] {
            throw SluiceError(.badResponse, step: step, "the service returned an OData error: \(describe(error))")
        }
        guard case .array(let rows)? = json["value"] else {
            throw SluiceError(.badResponse, step: step, "the page has no 'value' array")
        }
        var next: String?
        for (key, value) in pairs where key.lowercased() == "@odata.nextlink" || key.lowercased() == "odata.nextlink" {
            if case .string(let link) = value, !link.isEmpty { next = link }
        }
        return CitrixPage(rows: rows, nextLink: next)
    }

    /// `code: message` of an OData error object, cut to a readable length.
    static func describe(_ error: JSONValue) -> String {
        let code = error["code"]?.stringValue ?? ""
        let message = error["message"]?.stringValue ?? error.jsonText
        let text = code.isEmpty ? message : "\(code): \(message)"
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }
}
