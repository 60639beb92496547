/// The OData system query options the Monitor emulator understands: `$filter` (comparisons joined by `and`),
/// `$orderby`, `$top` and its own `$skiptoken`.
struct CitrixODataQuery: Sendable {
    /// One `Property op literal` comparison.
    struct Comparison: Sendable, Equatable {
        enum Operator: String, Sendable { case eq, ne, gt, ge, lt, le }
        var property: String
        var op: Operator
        /// Milliseconds for a date literal, the integer for a number literal.
        var value: Double

        func matches(_ cell: CitrixCell) -> Bool {
            guard let v = cell.number else { return false }
            switch op {
            case .eq: return v == value
            case .ne: return v != value
            case .gt: return v > value
            case .ge: return v >= value
            case .lt: return v < value
            case .le: return v <= value
            }
        }
    }

    var filter: [Comparison] = []
    var orderBy: (property: String, descending: Bool)?
    var top: Int?
    var skip = 0

    /// A 400 answer in the service's OData error shape.
    struct Invalid: Error {
        var message: String
    }

    /// Reads the query options of a request against an entity set's properties.
    static func parse(_ items: [(String, String)], shape: CitrixEntitySetShape) throws(Invalid) -> CitrixODataQuery {
        var query = CitrixODataQuery()
        let types = Dictionary(shape.properties.map { ($0.name, $0.edm) }, uniquingKeysWith: { a, _ in a })
        for (name, value) in items {
            switch name {
            case "$filter": query.filter = try parseFilter(value, types: types)
            case "$orderby":
                let words = value.split(separator: " ").map(String.init)
                guard let property = words.first, types[property] != nil, words.count <= 2,
                      words.count == 1 || ["asc", "desc"].contains(words[1].lowercased()) else {
                    throw Invalid(message: "The query specified in the URI is not valid. Could not find a property named '\(value)'.")
                }
                query.orderBy = (property, words.count == 2 && words[1].lowercased() == "desc")
            case "$top":
                guard let n = Int(value), n >= 0 else { throw Invalid(message: "Invalid value '\(value)' for $top query option.") }
                query.top = n
            case "$skiptoken":
                guard let n = Int(value), n >= 0 else { throw Invalid(message: "The skip token '\(value)' is not valid.") }
                query.skip = n
            default:
                continue
            }
        }
        return query
    }

    static func parseFilter(_ text: String, types: [String: String]) throws(Invalid) -> [Comparison] {
        // Parentheses only group; with `and` as the only connective they change nothing.
        let cleaned = text.map { $0 == "(" || $0 == ")" ? " " : $0 }
        let words = String(cleaned).split(separator: " ").map(String.init)
        var result: [Comparison] = []
        var i = 0
        while i < words.count {
            guard i + 2 < words.count else { throw Invalid(message: "Syntax error at position \(text.count) in '\(text)'.") }
            let (property, opWord, literal) = (words[i], words[i + 1].lowercased(), words[i + 2])
            guard let type = types[property] else {
                throw Invalid(message: "Could not find a property named '\(property)' on type 'Citrix.Monitor.Model'.")
            }
            guard let op = Comparison.Operator(rawValue: opWord) else {
                throw Invalid(message: "Syntax error: '\(words[i + 1])' is not a supported operator in '\(text)'.")
            }
            result.append(Comparison(property: property, op: op, value: try literalValue(literal, type: type, op: opWord)))
            i += 3
            if i < words.count {
                guard words[i].lowercased() == "and" else {
                    throw Invalid(message: "Syntax error: only 'and' is supported between comparisons, found '\(words[i])'.")
                }
                i += 1
            }
        }
        return result
    }

    private static func literalValue(_ literal: String, type: String, op: String) throws(Invalid) -> Double {
        if literal.hasPrefix("'") {
            // A quoted literal is an Edm.String: comparing it with a date is a type error in OData.
            throw Invalid(message: "A binary operator with incompatible types was detected. Found operand types '\(type)' "
                              + "and 'Edm.String' for operator kind '\(op)'.")
        }
        if type == "Edm.DateTimeOffset" {
            guard literal.contains("T"), let millis = EmulatorTimestamp.parse(literal) else {
                throw Invalid(message: "The DateTimeOffset literal '\(literal)' is not valid.")
            }
            return Double(millis)
        }
        guard let n = Double(literal) else { throw Invalid(message: "The literal '\(literal)' is not valid for '\(type)'.") }
        return n
    }
}
