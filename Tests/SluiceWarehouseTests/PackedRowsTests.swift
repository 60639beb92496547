import SluiceCore
import Testing
@testable import SluiceWarehouse

/// Packed rows (the WS1 CSV loader's form) must load exactly what the same values as ``Value`` rows load,
/// coercions included.
@Suite("packed rows")
struct PackedRowsTests {
    static let columns = [Column("Id", .bigint), Column("Name", .text), Column("Seen", .timestamp), Column("Day", .date),
                          Column("Ok", .boolean), Column("Score", .double), Column("Count", .bigint)]
    /// Cells that fit their column and cells that need the coercions a `Value` gets (text in a BOOLEAN, BIGINT
    /// and TIMESTAMP column, an integer in a DOUBLE column).
    static let values: [[Value]] = [
        [.integer(1), .text("plain"), .text("2026-03-01 10:00:00"), .text("2026-03-01"), .bool(true), .double(1.5), .integer(7)],
        [.integer(2), .text(""), .text("2026-03-01T10:00:00.250Z"), .text("not a date"), .text("yes"), .integer(3), .text("42")],
        [.integer(3), .text("ünïcode, \"quoted\"\nline"), .text("2026-03-01 12:00:00+02:00"), .null, .text("maybe"), .null,
         .text("seven")],
        [.integer(4), .null, .text("garbage"), .text("2024-02-29"), .bool(false), .double(-0.0), .null],
    ]

    static func packed(_ rows: [[Value]]) -> PackedRows {
        var packed = PackedRows(columnCount: columns.count)
        for row in rows {
            for value in row { packed.append(value) }
            packed.endRow()
        }
        return packed
    }

    @Test func packedRowsReadBackAsTheValuesWritten() {
        let packed = Self.packed(Self.values)
        #expect(packed.rowCount == 4 && packed.columnCount == 7)
        #expect(packed.rows == Self.values)
    }

    @Test func aPackedBatchLoadsWhatTheSameValueBatchLoads() async throws {
        try await withWarehouse { warehouse, path in
            let target = { (table: String) in TableTarget(table: table, mode: .upsert, primaryKey: ["Id"]) }
            _ = try await warehouse.commit(Batch(target: target("as_values"), columns: Self.columns, rows: Self.values,
                                                 origin: "page 1"), job: "a", runID: 1)
            let written = try await warehouse.commit(Batch(target: target("as_packed"), columns: Self.columns, rows: [],
                                                           origin: "page 1", packed: Self.packed(Self.values)), job: "b", runID: 1)
            #expect(written == 4)
            let reader = try openReader(path)
            let names = "id, name, seen, day, ok, score, count, typeof(ok), typeof(score), typeof(count)"
            let expected = try reader.rows("SELECT \(names) FROM as_values ORDER BY id")
            #expect(try reader.rows("SELECT \(names) FROM as_packed ORDER BY id") == expected)
            #expect(expected[1][4] == .integer(1) && expected[1][6] == .integer(42))
            #expect(expected[1][2] == .text("2026-03-01 10:00:00.250"))
        }
    }

    @Test func aPackedBatchWithTheWrongWidthIsRejected() async throws {
        try await withWarehouse { warehouse, _ in
            var narrow = PackedRows(columnCount: 1)
            narrow.appendInteger(1)
            narrow.endRow()
            let batch = Batch(target: TableTarget(table: "t", mode: .upsert, primaryKey: ["Id"]), columns: Self.columns,
                              rows: [], origin: "page 1", packed: narrow)
            await #expect(throws: SluiceError.self) { try await warehouse.commit(batch, job: "j", runID: 1) }
        }
    }
}
