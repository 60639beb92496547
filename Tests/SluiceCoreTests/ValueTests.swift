import Testing
import SluiceCore

@Suite("Value coercion")
struct ValueTests {
    @Test(arguments: [
        // Same kind: unchanged.
        (Value.integer(7), ColumnType.bigint, Value.integer(7)),
        (.double(1.5), .double, .double(1.5)),
        (.bool(true), .boolean, .bool(true)),
        (.text("x"), .text, .text("x")),
        // Null stays null whatever the column.
        (.null, .bigint, .null), (.null, .timestamp, .null),
        // Lossless numeric conversions.
        (.integer(3), .double, .double(3)),
        (.integer(1), .boolean, .bool(true)), (.integer(0), .boolean, .bool(false)),
        (.double(42), .bigint, .integer(42)),
        (.bool(true), .bigint, .integer(1)), (.bool(false), .bigint, .integer(0)),
        // Text read as numbers, booleans, timestamps and dates.
        (.text("123"), .bigint, .integer(123)),
        (.text("-9"), .bigint, .integer(-9)),
        (.text("2.5"), .double, .double(2.5)),
        (.text("TRUE"), .boolean, .bool(true)), (.text("yes"), .boolean, .bool(true)), (.text("1"), .boolean, .bool(true)),
        (.text("false"), .boolean, .bool(false)), (.text("No"), .boolean, .bool(false)), (.text("0"), .boolean, .bool(false)),
        (.text("2024-08-06T07:08:50.72Z"), .timestamp, .text("2024-08-06 07:08:50.720")),
        (.text("2024-02-29"), .date, .text("2024-02-29")),
        // Anything into text.
        (.integer(5), .text, .text("5")), (.double(2.5), .text, .text("2.5")), (.bool(false), .text, .text("false")),
    ])
    func losslessConversionsApply(value: Value, type: ColumnType, expected: Value) {
        #expect(value.coerced(to: type) == expected)
    }

    @Test(arguments: [
        (Value.integer(2), ColumnType.boolean), (.double(1.5), .bigint), (.double(1e19), .bigint),
        (.text("12abc"), .bigint), (.text("1.5"), .bigint), (.text("abc"), .double), (.text("maybe"), .boolean),
        (.text("2024-02-30T00:00:00Z"), .timestamp), (.text("2024-02-30"), .date), (.text("today"), .date),
        (.double(1), .boolean), (.bool(true), .double), (.integer(1), .timestamp),
    ])
    func valuesThatCannotBeConvertedAreKeptAsTheyAre(value: Value, type: ColumnType) {
        #expect(value.coerced(to: type) == value)
    }

    @Test func columnTypeNamesInJobFilesAreCaseInsensitive() {
        #expect(ColumnType(jobFileName: "Integer") == .bigint)
        #expect(ColumnType(jobFileName: "DATETIME") == .timestamp)
        #expect(ColumnType(jobFileName: "decimal") == .double)
        #expect(ColumnType(jobFileName: "varchar") == nil)
    }
}
