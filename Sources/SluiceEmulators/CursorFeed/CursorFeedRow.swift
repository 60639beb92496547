/// One row of the cursor feed, generated from its id so that two runs serve identical data.
///
/// The values cover every JSON shape a feed row can have: integer, text with quotes, commas, a newline and
/// non-ASCII letters, a two-decimal number, a boolean, an instant, a date, an array, an object and null.
struct CursorFeedRow: Sendable {
    var id: Int
    var updatedMillis: Int64
    var name: String
    var amountHundredths: Int
    var hasRegion: Bool

    /// The row as the table holds it now.
    init(id: Int, key: CursorFeedTable.Key, edit: CursorFeedTable.Edit?, growthAtRow: Int?) {
        self.id = id
        self.updatedMillis = key.millis
        self.name = edit?.name ?? Self.defaultName(id: id)
        self.amountHundredths = edit?.amountHundredths ?? Self.defaultAmountHundredths(id: id)
        self.hasRegion = growthAtRow.map { id >= $0 } ?? false
    }

    /// `item <id>`, with a quote-and-comma or apostrophe variant every tenth row so CSV-style splitting breaks.
    static func defaultName(id: Int) -> String {
        switch id % 10 {
        case 3: "item \(id), \"special\""
        case 7: "O'Brien's item \(id)"
        default: "item \(id)"
        }
    }

    /// A spread of amounts between 0.00 and 999.99.
    static func defaultAmountHundredths(id: Int) -> Int {
        (id &* 7919) % 100_000
    }

    var active: Bool { id % 3 != 0 }

    var createdOn: String {
        let day = 1 + id % 28
        return "2025-12-" + (day < 10 ? "0" : "") + String(day)
    }

    var tags: [String] {
        switch id % 5 {
        case 0: []
        case 1: ["a"]
        default: ["a", "b"]
        }
    }

    var ownerName: String { "owner \(id % 7)" }

    var note: String? {
        switch id % 4 {
        case 0: nil
        case 1: "plain note \(id)"
        case 2: "line one\nline two, with \"quotes\" and a tab\there"
        default: "café ünïcode № \(id)"
        }
    }

    var region: String { ["north", "east", "south", "west"][id % 4] }

    /// Appends the row as a JSON object; `updatedField` names the instant field.
    func write(to json: inout JSONText, updatedField: String) {
        json.raw("{\"id\":")
        json.raw(String(id))
        json.raw(",\"name\":")
        json.string(name)
        json.raw(",\"amount\":")
        json.raw(JSONText.decimal(hundredths: amountHundredths))
        json.raw(active ? ",\"active\":true," : ",\"active\":false,")
        json.string(updatedField)
        json.raw(":")
        json.string(EmulatorTimestamp.iso8601(millis: updatedMillis))
        json.raw(",\"created_on\":")
        json.string(createdOn)
        json.raw(",\"tags\":[")
        for (index, tag) in tags.enumerated() {
            if index > 0 { json.raw(",") }
            json.string(tag)
        }
        json.raw("],\"owner\":{\"name\":")
        json.string(ownerName)
        json.raw("},\"note\":")
        json.optionalString(note)
        if hasRegion {
            json.raw(",\"region\":")
            json.string(region)
        }
        json.raw("}")
    }
}
