import Foundation
import NIOCore
import SluiceCore
import Testing
@testable import SluicePostgres

/// COPY text format: escapes, NULLs, the SQLite path's coercions, and what cannot go into a typed column.
@Suite("COPY text encoding")
struct CopyTextEncoderTests {
    private func encode(_ rows: [[Value]], types: [ColumnType?]) -> (String, [Int: Int]) {
        var encoder = CopyTextEncoder(types: types)
        var buffer = ByteBufferAllocator().buffer(capacity: 256)
        for row in rows { encoder.append(row: row, to: &buffer) }
        return (buffer.readString(length: buffer.readableBytes) ?? "", encoder.misfits)
    }

    @Test func textIsEscapedAndNULLsAreMarked() {
        let (text, misfits) = encode([[.text("a\tb\nc\rd\\e"), .null, .text(""), .text("x\u{0}y")]],
                                     types: [.text, .text, .text, .text])
        #expect(text == "a\\tb\\nc\\rd\\\\e\t\\N\t\tx y\n".replacingOccurrences(of: "x y", with: "xy"))
        #expect(misfits.isEmpty)
    }

    @Test func valuesAreCoercedToTheirColumnsLikeTheSQLiteWarehouseDoes() {
        let (text, misfits) = encode([[.text("42"), .integer(3), .text("true"), .text("2019-05-04-17:40:30 UTC"),
                                       .text("2024-02-29"), .double(.nan), .double(-.infinity), .integer(Int64.min)]],
                                     types: [.bigint, .double, .boolean, .timestamp, .date, .double, .double, .bigint])
        #expect(text == "42\t3.0\tt\t2019-05-04 17:40:30\t2024-02-29\tNaN\t-Infinity\t-9223372036854775808\n")
        #expect(misfits.isEmpty)
    }

    @Test func valuesThatDoNotFitTheirTypedColumnBecomeNULLAndAreCounted() {
        let (text, misfits) = encode([[.text("n/a"), .text("maybe"), .text("yesterday"), .text("2024-02-30"), .double(1.5)],
                                      [.integer(1), .bool(true), .text("2024-01-01 00:00:00"), .text("2024-02-28"), .integer(2)]],
                                     types: [.bigint, .boolean, .timestamp, .date, .bigint])
        #expect(text == "\\N\t\\N\t\\N\t\\N\t\\N\n1\tt\t2024-01-01 00:00:00\t2024-02-28\t2\n")
        #expect(misfits == [0: 1, 1: 1, 2: 1, 3: 1, 4: 1])
    }

    @Test func packedCellsAreCopiedStraightAndBadUTF8IsRepaired() {
        var packed = PackedRows(columnCount: 3)
        let invalid: [UInt8] = [0x61, 0xFF, 0x62]
        invalid.withUnsafeBufferPointer { packed.appendText($0) }
        packed.appendInteger(7)
        Array("2024-01-01 00:00:00.250".utf8).withUnsafeBufferPointer { packed.appendText($0) }
        packed.endRow()
        var encoder = CopyTextEncoder(types: [.text, .double, .timestamp])
        var buffer = ByteBufferAllocator().buffer(capacity: 64)
        packed.withCells { encoder.append(packed: packed, cells: $0, row: 0, to: &buffer) }
        #expect(buffer.readString(length: buffer.readableBytes) == "a\u{FFFD}b\t7.0\t2024-01-01 00:00:00.250\n")
    }
}
