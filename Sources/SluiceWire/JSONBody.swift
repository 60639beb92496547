import SluiceCore

/// Parses an API response body as JSON, failing the way every source reports a malformed page.
enum JSONBody {
    /// The parsed document, or a permanent error naming `step`, the parser's position and the body size.
    static func parse(_ body: [UInt8], step: String) throws(SluiceError) -> JSONValue {
        do {
            return try JSONParser.parse(body)
        } catch {
            throw SluiceError(.badResponse, step: step, "malformed JSON (\(error.description), \(body.count) bytes)")
        }
    }
}
