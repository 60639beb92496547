/// Rows held in three flat arrays instead of an array of ``Value``s per row.
///
/// For sources that read bytes (the WS1 CSV): a cell's text is copied from the parser's buffer once, into
/// `text`, and never becomes a `String`. A batch of 5,000 rows is then three allocations instead of about
/// 30,000, the warehouse binds cells straight from the buffer, and freeing a written batch is three frees.
package struct PackedRows: Sendable, Equatable {
    package enum Kind: UInt8, Sendable {
        case null, integer, double, bool, text
    }

    package let columnCount: Int
    package private(set) var rowCount = 0
    /// One per cell, row after row.
    private var kinds: [Kind] = []
    /// One per cell: the integer, the double's bit pattern, 0/1, or for text `offset << 32 | length` in `text`.
    private var payloads: [Int64] = []
    private var text: [UInt8] = []

    /// The most text one batch can hold: offsets are stored in 32 bits.
    package static let textLimit = Int(Int32.max)
    /// This batch's limit (``textLimit`` unless a test sets a smaller one).
    package let maxTextBytes: Int
    /// Set when a text cell did not fit under ``maxTextBytes``; the batch is then incomplete and must not be
    /// written. Sources cut batches long before this (see the WS1 loader), so it means a hostile body.
    package private(set) var overflowed = false
    /// Bytes of text held so far, for cutting batches by size.
    package var textByteCount: Int { text.count }

    package init(columnCount: Int, reservingRows rows: Int = 0, maxTextBytes: Int = PackedRows.textLimit) {
        self.columnCount = columnCount
        self.maxTextBytes = min(maxTextBytes, Self.textLimit)
        kinds.reserveCapacity(rows * columnCount)
        payloads.reserveCapacity(rows * columnCount)
    }

    package var isEmpty: Bool { rowCount == 0 }

    // MARK: Writing (cells in order; ``endRow()`` after each row's `columnCount` cells)

    package mutating func appendNull() { push(.null, 0) }
    package mutating func appendInteger(_ value: Int64) { push(.integer, value) }
    package mutating func appendDouble(_ value: Double) { push(.double, Int64(bitPattern: value.bitPattern)) }
    package mutating func appendBool(_ value: Bool) { push(.bool, value ? 1 : 0) }

    /// Appends a text cell with these UTF-8 bytes. Past ``maxTextBytes`` the cell is stored as null and
    /// ``overflowed`` is set: the caller (which reads bytes from a server) checks it and fails the run.
    package mutating func appendText(_ bytes: UnsafeBufferPointer<UInt8>) {
        let offset = text.count
        guard fits(bytes.count) else { return push(.null, 0) }
        text.append(contentsOf: bytes)
        push(.text, Int64(offset) << 32 | Int64(bytes.count))
    }

    /// Appends a text cell of `count` bytes that `fill` writes (all of them); see ``appendText(_:)`` for
    /// what happens past ``maxTextBytes``.
    package mutating func appendText(count: Int, _ fill: (UnsafeMutableBufferPointer<UInt8>) -> Void) {
        let offset = text.count
        guard fits(count) else { return push(.null, 0) }
        text.append(contentsOf: repeatElement(0, count: count))
        text.withUnsafeMutableBufferPointer { all in
            fill(UnsafeMutableBufferPointer(rebasing: all[offset..<(offset + count)]))
        }
        push(.text, Int64(offset) << 32 | Int64(count))
    }

    package mutating func append(_ value: Value) {
        switch value {
        case .null: appendNull()
        case .integer(let i): appendInteger(i)
        case .double(let d): appendDouble(d)
        case .bool(let b): appendBool(b)
        case .text(var s): s.withUTF8 { appendText($0) }
        }
    }

    /// Closes the row whose cells were just appended; they must be exactly `columnCount`.
    package mutating func endRow() {
        precondition(kinds.count == (rowCount + 1) * columnCount, "a packed row needs exactly \(columnCount) cells")
        rowCount += 1
    }

    private mutating func fits(_ count: Int) -> Bool {
        guard !overflowed, count <= maxTextBytes - text.count else {
            overflowed = true
            return false
        }
        return true
    }

    private mutating func push(_ kind: Kind, _ payload: Int64) {
        kinds.append(kind)
        payloads.append(payload)
    }

    // MARK: Reading

    /// The cell at `row`, `column` (both from 0) as a ``Value``.
    package func value(row: Int, column: Int) -> Value {
        let cell = row * columnCount + column
        switch kinds[cell] {
        case .null: return .null
        case .integer: return .integer(payloads[cell])
        case .double: return .double(Double(bitPattern: UInt64(bitPattern: payloads[cell])))
        case .bool: return .bool(payloads[cell] != 0)
        case .text: return .text(withBytes { String(decoding: Self.slice($0, payloads[cell]), as: UTF8.self) })
        }
    }

    /// Every row as values (for tests and generic paths).
    package var rows: [[Value]] {
        (0..<rowCount).map { row in (0..<columnCount).map { value(row: row, column: $0) } }
    }

    /// Calls `body` with a reader of the cells; text slices stay valid until `body` returns.
    package func withCells<R>(_ body: (Cells) throws -> R) rethrows -> R {
        try kinds.withUnsafeBufferPointer { kinds in
            try payloads.withUnsafeBufferPointer { payloads in
                try withBytes { text in try body(Cells(kinds: kinds, payloads: payloads, text: text)) }
            }
        }
    }

    /// Unchecked access to the cells inside ``withCells(_:)``; cell index = row × columnCount + column.
    package struct Cells {
        let kinds: UnsafeBufferPointer<Kind>
        let payloads: UnsafeBufferPointer<Int64>
        let text: UnsafeBufferPointer<UInt8>

        package func kind(_ cell: Int) -> Kind { kinds[cell] }
        package func integer(_ cell: Int) -> Int64 { payloads[cell] }
        package func double(_ cell: Int) -> Double { Double(bitPattern: UInt64(bitPattern: payloads[cell])) }
        package func bool(_ cell: Int) -> Bool { payloads[cell] != 0 }
        package func text(_ cell: Int) -> UnsafeBufferPointer<UInt8> { PackedRows.slice(text, payloads[cell]) }
    }

    private func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try text.withUnsafeBufferPointer(body)
    }

    static func slice(_ text: UnsafeBufferPointer<UInt8>, _ payload: Int64) -> UnsafeBufferPointer<UInt8> {
        let offset = Int(payload >> 32), count = Int(payload & 0xFFFF_FFFF)
        return UnsafeBufferPointer(rebasing: text[offset..<(offset + count)])
    }
}
