/// A CSV body that cannot be read: the record it happened in (1-based, the header is record 1) and why.
package struct CSVParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based record number; the header row is record 1, the first data row record 2.
    package var record: Int
    package var reason: String

    package init(record: Int, reason: String) {
        self.record = record
        self.reason = reason
    }

    package var description: String { "record \(record): \(reason)" }
}

/// A streaming RFC 4180 parser: bytes go in in chunks of any size, complete records come out.
///
/// Handles quoted fields holding commas, doubled quotes and line breaks, CRLF or LF (or a lone CR) line ends,
/// an optional UTF-8 byte order mark, and a last line with or without a line end. Memory is bounded by the
/// longest record, never by the body: a chunk boundary may fall anywhere, even between the two quotes of an
/// escaped quote or between CR and LF. Blank lines are skipped (WS1 exports end with one, some tools add more).
/// Lenient where RFC 4180 is silent: a quote inside an unquoted field, or text after a closing quote, is kept.
package struct CSVStreamParser {
    private enum State {
        case fieldStart
        case unquoted
        case quoted
        /// A quote inside a quoted field: either the first of a doubled quote or the closing quote.
        case quotedQuote
        /// After a CR that ended a record: an LF right after it belongs to the same line end.
        case afterCR
    }

    private static let quote = UInt8(ascii: "\"")
    private static let comma = UInt8(ascii: ",")
    private static let lf = UInt8(ascii: "\n")
    private static let cr = UInt8(ascii: "\r")
    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    private var state = State.fieldStart
    /// The current record's unescaped field bytes, concatenated; `ends` marks where each field ends.
    private var bytes: [UInt8] = []
    private var ends: [Int] = []
    /// Whether anything (even an empty quoted field) belongs to the current record yet.
    private var recordStarted = false
    /// Whether the current record has a quoted field (so `""` alone on a line is a record, not a blank line).
    private var recordQuoted = false
    /// The first bytes of the body until it is known whether they are a byte order mark.
    private var head: [UInt8]? = []
    /// Records emitted so far (blank lines are not records).
    package private(set) var recordsEmitted = 0
    /// The most bytes one record may hold: a quote that never closes would otherwise keep the rest of the
    /// body in memory.
    package let maxRecordBytes: Int
    /// The most fields one record may have.
    package let maxFields: Int

    package static let defaultMaxRecordBytes = 16 * 1_048_576
    package static let defaultMaxFields = 4096

    package init(maxRecordBytes: Int = CSVStreamParser.defaultMaxRecordBytes,
                maxFields: Int = CSVStreamParser.defaultMaxFields) {
        self.maxRecordBytes = maxRecordBytes
        self.maxFields = maxFields
        bytes.reserveCapacity(4096)
        ends.reserveCapacity(64)
    }

    /// The 1-based number of the record being read (the next one to be emitted).
    package var currentRecord: Int { recordsEmitted + 1 }

    /// Parses `chunk`, calling `onRecord` for every record it completes.
    package mutating func feed(_ chunk: UnsafeRawBufferPointer,
                              _ onRecord: (CSVRecord) throws -> Void) throws {
        if var pending = head {
            // The byte order mark may itself be split across chunks: collect three bytes first.
            let need = min(3 - pending.count, chunk.count)
            pending.append(contentsOf: chunk.prefix(need))
            guard pending.count == 3 else {
                head = pending
                return
            }
            head = nil
            if pending != Self.bom {
                try pending.withUnsafeBytes { try run($0, onRecord) }
            }
            try run(UnsafeRawBufferPointer(rebasing: chunk[need...]), onRecord)
            return
        }
        try run(chunk, onRecord)
    }

    /// Convenience for tests and small bodies.
    package mutating func feed(_ chunk: [UInt8], _ onRecord: (CSVRecord) throws -> Void) throws {
        try chunk.withUnsafeBytes { try feed($0, onRecord) }
    }

    /// Ends the body: emits a last record that had no line end; fails when a quoted field is still open.
    package mutating func finish(_ onRecord: (CSVRecord) throws -> Void) throws {
        if let pending = head {
            head = nil
            if pending != Self.bom { try pending.withUnsafeBytes { try run($0, onRecord) } }
        }
        switch state {
        case .quoted:
            throw CSVParseError(record: currentRecord, reason: "the body ends inside a quoted field (it was cut short)")
        case .fieldStart, .unquoted, .quotedQuote:
            if recordStarted {
                try endField()
                try endRecord(onRecord)
            }
        case .afterCR:
            break
        }
        state = .fieldStart
    }

    private mutating func run(_ buffer: UnsafeRawBufferPointer, _ onRecord: (CSVRecord) throws -> Void) throws {
        let n = buffer.count
        var i = 0
        while i < n {
            switch state {
            case .afterCR:
                if buffer[i] == Self.lf { i += 1 }
                state = .fieldStart
            case .fieldStart:
                recordStarted = true
                if buffer[i] == Self.quote {
                    state = .quoted
                    recordQuoted = true
                    i += 1
                } else {
                    state = .unquoted
                }
            case .unquoted:
                var j = i
                while j < n {
                    let b = buffer[j]
                    if b == Self.comma || b == Self.lf || b == Self.cr { break }
                    j += 1
                }
                if j > i { try append(UnsafeRawBufferPointer(rebasing: buffer[i..<j])) }
                i = j
                guard j < n else { break }
                let b = buffer[j]
                i += 1
                try endField()
                if b == Self.comma {
                    state = .fieldStart
                } else {
                    try endRecord(onRecord)
                    state = b == Self.cr ? .afterCR : .fieldStart
                }
            case .quoted:
                var j = i
                while j < n, buffer[j] != Self.quote { j += 1 }
                if j > i { try append(UnsafeRawBufferPointer(rebasing: buffer[i..<j])) }
                i = j
                if j < n {
                    state = .quotedQuote
                    i += 1
                }
            case .quotedQuote:
                if buffer[i] == Self.quote {
                    bytes.append(Self.quote)
                    state = .quoted
                    i += 1
                } else {
                    // The field is closed; a delimiter or line end follows (anything else is kept, leniently).
                    state = .unquoted
                }
            }
        }
    }

    private mutating func append(_ segment: UnsafeRawBufferPointer) throws(CSVParseError) {
        guard segment.count <= maxRecordBytes - bytes.count else {
            throw CSVParseError(record: currentRecord, reason: "the record is longer than \(ByteCount.text(maxRecordBytes)) "
                + (state == .quoted ? "(a quoted field that never closes?)" : "(no line end?)"))
        }
        bytes.append(contentsOf: segment)
    }

    private mutating func endField() throws(CSVParseError) {
        guard ends.count < maxFields else {
            throw CSVParseError(record: currentRecord, reason: "the record has more than \(maxFields) fields")
        }
        ends.append(bytes.count)
    }

    private mutating func endRecord(_ onRecord: (CSVRecord) throws -> Void) throws {
        defer {
            bytes.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
            recordStarted = false
            recordQuoted = false
        }
        // A blank line: one empty, unquoted field.
        if ends.count == 1, bytes.isEmpty, !recordQuoted { return }
        recordsEmitted += 1
        try bytes.withUnsafeBufferPointer { b in
            try ends.withUnsafeBufferPointer { e in
                try onRecord(CSVRecord(bytes: b, ends: e, number: recordsEmitted))
            }
        }
    }
}

/// One parsed record, valid only inside the callback that receives it (it points into the parser's buffers).
package struct CSVRecord {
    let bytes: UnsafeBufferPointer<UInt8>
    let ends: UnsafeBufferPointer<Int>
    /// 1-based record number (the header is record 1).
    package let number: Int

    /// Number of fields.
    package var count: Int { ends.count }

    /// The unescaped bytes of field `index`.
    package func field(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        let start = index == 0 ? 0 : ends[index - 1]
        return UnsafeBufferPointer(rebasing: bytes[start..<ends[index]])
    }

    /// Field `index` as a string (invalid UTF-8 repaired).
    package func string(_ index: Int) -> String {
        String(decoding: field(index), as: UTF8.self)
    }

    /// Every field as a string.
    package var strings: [String] { (0..<count).map { string($0) } }
}
