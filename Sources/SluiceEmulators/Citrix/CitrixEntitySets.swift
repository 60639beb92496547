/// One cell of an emulated Monitor row, typed as the `$metadata` declares it.
enum CitrixCell: Sendable {
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case text(String)
    /// An instant, written with `digits` (0–3) fractional digits as the service does (`…50.72Z`).
    case date(millis: Int64, digits: Int)
    case null

    /// The value as a JSON fragment.
    var json: String {
        switch self {
        case .int(let v): return String(v)
        case .double(let v): return String(v)
        case .bool(let v): return v ? "true" : "false"
        case .text(let v): return JSONText.quoted(v)
        case .null: return "null"
        case .date(let millis, let digits):
            let whole = EmulatorTimestamp.iso8601(millis: millis - ((millis % 1000) + 1000) % 1000)
            guard digits > 0 else { return "\"" + whole + "\"" }
            let ms = Int(((millis % 1000) + 1000) % 1000)
            var fraction = String(ms + 1000).dropFirst()
            fraction = fraction.prefix(digits)
            return "\"" + whole.dropLast() + "." + fraction + "Z\""
        }
    }

    /// A sortable/comparable number for dates and integers; nil for other kinds.
    var number: Double? {
        switch self {
        case .int(let v): return Double(v)
        case .double(let v): return v
        case .date(let millis, _): return Double(millis)
        default: return nil
        }
    }
}

/// The static shape of an emulated entity set: its type, key, properties and how row `i` looks.
struct CitrixEntitySetShape: Sendable {
    var name: String
    var typeName: String
    var key: [String]
    /// Property name → `Edm.*` type, in document order.
    var properties: [(name: String, edm: String)]
    /// The property that `modify` bumps (the cursor of the set).
    var changeDate: String
    /// Row `i` (1-based) of `count`, given the newest instant and the spacing, and how often it was modified.
    var row: @Sendable (_ i: Int, _ context: RowContext) -> [CitrixCell]
}

/// What a row generator needs besides its index.
struct RowContext: Sendable {
    var count: Int
    var anchorMillis: Int64
    var intervalMillis: Int64
    /// Times `modify` touched the row, and the instant of the last touch.
    var revision: Int
    var modifiedMillis: Int64?

    /// Row `i`'s natural instant: the newest row sits at the anchor, older ones one interval apart,
    /// with 0–3 fractional digits depending on the row.
    func natural(_ i: Int) -> CitrixCell {
        let base = anchorMillis - Int64(count - i) * intervalMillis
        let digits = i % 4
        let fraction: Int64 = digits == 0 ? 0 : Int64((i * 137) % 999 + 1)
        let scale: Int64 = digits == 1 ? 100 : digits == 2 ? 10 : 1
        return .date(millis: base - base % 1000 + (fraction / scale) * scale, digits: digits)
    }

    /// The change date: the natural instant, or the last modification.
    func changed(_ i: Int) -> CitrixCell {
        modifiedMillis.map { .date(millis: $0, digits: 3) } ?? natural(i)
    }
}

/// Deterministic GUIDs: `5e55i0n0-…` style text derived from a set salt and a row number.
func citrixGUID(_ salt: Int, _ i: Int) -> String {
    let hex = String(i, radix: 16)
    let tail = String(repeating: "0", count: max(0, 12 - hex.count)) + hex
    let head = String(salt, radix: 16)
    return String(repeating: "0", count: max(0, 8 - head.count)) + head + "-5e55-4c1d-8a0b-" + tail
}

func shift(_ cell: CitrixCell, by ms: Int64) -> CitrixCell {
    if case .date(let m, let d) = cell { return .date(millis: m + ms, digits: d) }
    return cell
}
