import SluiceEmulators
import Testing
import SluiceCore
@testable import SluiceSources

/// The streaming CSV parser: RFC 4180 quoting, line ends, BOM, and chunk boundaries anywhere.
@Suite("WS1 CSV parser")
struct WS1CSVParserTests {
    /// Parses `bytes` fed in the chunk sizes `sizes` (cycled), returning every record's fields.
    static func parse(_ bytes: [UInt8], chunks sizes: [Int] = [Int.max]) throws -> [[String]] {
        var parser = CSVStreamParser()
        var records: [[String]] = []
        var offset = 0
        var turn = 0
        while offset < bytes.count {
            let size = min(max(1, sizes[turn % sizes.count]), bytes.count - offset)
            try parser.feed(Array(bytes[offset..<(offset + size)])) { records.append($0.strings) }
            offset += size
            turn += 1
        }
        try parser.finish { records.append($0.strings) }
        return records
    }

    static func parse(_ text: String, chunks: [Int] = [Int.max]) throws -> [[String]] {
        try parse(Array(text.utf8), chunks: chunks)
    }

    @Test func quotedFieldsHoldCommasQuotesAndLineBreaks() throws {
        let text = "a,\"b, with comma\",\"say \"\"hi\"\"\"\r\n\"multi\nline\r\nfield\",,\"\"\r\n"
        #expect(try Self.parse(text) == [["a", "b, with comma", "say \"hi\""], ["multi\nline\r\nfield", "", ""]])
    }

    @Test func crlfLfAndLoneCRAllEndLines() throws {
        #expect(try Self.parse("a,b\r\nc,d\ne,f\rg,h") == [["a", "b"], ["c", "d"], ["e", "f"], ["g", "h"]])
    }

    @Test func theLastLineMayLackALineEnd() throws {
        #expect(try Self.parse("h1,h2\n1,2") == [["h1", "h2"], ["1", "2"]])
        #expect(try Self.parse("h1,h2\n1,2\n") == [["h1", "h2"], ["1", "2"]])
        #expect(try Self.parse("h1,h2\n1,") == [["h1", "h2"], ["1", ""]])
        #expect(try Self.parse("h\n\"x\"") == [["h"], ["x"]])
    }

    @Test func aByteOrderMarkIsDroppedEvenWhenSplitAcrossChunks() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("Name,Id\nx,1\n".utf8)
        for size in 1...4 {
            #expect(try Self.parse(bytes, chunks: [size]) == [["Name", "Id"], ["x", "1"]])
        }
        // Too short to be a BOM: the bytes are data.
        #expect(try Self.parse("ab") == [["ab"]])
    }

    @Test func blankLinesAreSkippedButAnEmptyQuotedFieldIsARecord() throws {
        #expect(try Self.parse("a\n\n\nb\n\n") == [["a"], ["b"]])
        #expect(try Self.parse("a\n\"\"\n") == [["a"], [""]])
    }

    @Test func aBodyCutInsideAQuotedFieldFailsWithTheRecord() throws {
        #expect(throws: CSVParseError(record: 3, reason: "the body ends inside a quoted field (it was cut short)")) {
            try Self.parse("h1,h2\n1,2\n3,\"cut he")
        }
    }

    @Test func anyChunkingGivesTheSameRecords() throws {
        var spec = WS1CSVSpec(rows: 60, columns: 14, seed: 5, byteOrderMark: true, multilineEvery: 3)
        for ending in [WS1CSVSpec.LineEnding.crlf, .lf] {
            for final in [true, false] {
                spec.lineEnding = ending
                spec.finalLineEnding = final
                let bytes = WS1CSVGenerator(spec).body()
                let whole = try Self.parse(bytes)
                #expect(whole.count == 61)
                #expect(whole.allSatisfy { $0.count == 14 })
                #expect(try Self.parse(bytes, chunks: [1]) == whole)
                var random = SeededRandom(seed: UInt64(bytes.count))
                let sizes = (0..<64).map { _ in Int(random.next() % 97) + 1 }
                #expect(try Self.parse(bytes, chunks: sizes) == whole)
                #expect(try Self.parse(bytes, chunks: [2, 3, 5, 7, 4096]) == whole)
            }
        }
    }

    @Test func theGeneratorsAwkwardFieldsRoundTrip() throws {
        let records = try Self.parse(WS1CSVGenerator(.init(rows: 7, multilineEvery: 7)).body())
        #expect(records[0].contains("Serial \"Number\""))
        #expect(records[0].contains("Platform, OS"))
        #expect(records[7][7] == "line one of 7\nline \"two\", with comma")
        #expect(records.dropFirst().allSatisfy { $0[3].hasSuffix(" UTC") && $0[3].count == 23 })
    }

    @Test func aRecordGivesBytesAndStrings() throws {
        var parser = CSVStreamParser()
        var seen: [(Int, Int, String)] = []
        try parser.feed(Array("x,yz\n".utf8)) { record in
            seen.append((record.number, record.count, String(decoding: record.field(1), as: UTF8.self)))
        }
        #expect(seen.count == 1 && seen[0].0 == 1 && seen[0].1 == 2 && seen[0].2 == "yz")
        #expect(parser.recordsEmitted == 1)
    }
}

/// A tiny deterministic generator for chunk sizes (xorshift64).
struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed == 0 ? 0x9E37_79B9 : seed }

    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
}
