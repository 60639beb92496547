/// A 5-field cron expression (minute hour day-of-month month day-of-week). STUB: being implemented.
public struct CronExpression: Sendable, Hashable {
    /// The expression as written.
    public let source: String

    /// Parses `text`; throws ``CronError`` naming the field and the problem.
    public init(parsing text: String) throws {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count == 5 else { throw CronError(message: "expected 5 fields (minute hour day-of-month month day-of-week), found \(fields.count)") }
        source = fields.joined(separator: " ")
    }
}

/// Why a cron expression could not be parsed.
public struct CronError: Error, Sendable, CustomStringConvertible, Equatable {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
