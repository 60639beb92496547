import SluiceCore
import Testing
@testable import SluiceWarehouse

/// Text is bound from a per-statement scratch buffer without copying; rows whose text outgrows the buffer, and
/// rows after them, must still store exactly what was given.
@Suite("text binding")
struct LargeTextBindingTests {
    @Test func textLargerThanTheScratchBufferIsStoredExactly() async throws {
        try await withWarehouse { warehouse, path in
            let big = String(repeating: "é0123456789", count: 150_000)
            let rows: [[Value]] = [
                [.integer(1), .text("small")],
                [.integer(2), .text(big)],
                [.integer(3), .text("after the big one")],
                [.integer(4), .text(big + "!")],
                [.integer(5), .text("")],
            ]
            let batch = Batch(target: TableTarget(table: "t", mode: .upsert, primaryKey: ["id"]),
                              columns: [Column("id", .bigint), Column("body", .text)], rows: rows, origin: "page 1")
            #expect(try await warehouse.commit(batch, job: "j", runID: 1) == 5)
            let reader = try SQLiteDatabase(path: path)
            for (i, row) in rows.enumerated() {
                guard case .text(let expected) = row[1] else { continue }
                let stored = try reader.scalar("SELECT body FROM t WHERE id = \(i + 1)")
                #expect(stored == .text(expected), "row \(i + 1)")
            }
        }
    }
}
