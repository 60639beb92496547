import NIOCore
import PostgresNIO
import SluiceCore

extension PostgresSession {
    /// Bytes of COPY data sent per message: large enough that the per-write hop to the event loop does not
    /// matter, small enough that the server parses one chunk while the next is encoded (a whole 5,000-row part in
    /// one 1 MiB message left the server idle while it was encoded: 0.39× `psql \copy` against 0.45× with 128 KiB).
    static let copyChunkBytes = 1 << 17

    /// Streams the rows of `batch` into `table` (`columns` in batch order, values coerced to `types`) with
    /// `COPY … FROM STDIN`; returns the cells written as NULL because they did not fit, by batch column index.
    func copyRows(_ batch: Batch, into table: String, columns: [String], types: [ColumnType?]) async throws -> [Int: Int] {
        try Self.checkWidth(batch, columns: columns.count)
        var encoder = CopyTextEncoder(types: types)
        try await copy(into: table, columns: columns) { writer in
            var buffer = ByteBufferAllocator().buffer(capacity: Self.copyChunkBytes + 65_536)
            var row = 0
            let total = batch.rowCount
            while row < total {
                if let packed = batch.packed {
                    packed.withCells { cells in
                        while row < total, buffer.readableBytes < Self.copyChunkBytes {
                            encoder.append(packed: packed, cells: cells, row: row, to: &buffer)
                            row += 1
                        }
                    }
                } else {
                    while row < total, buffer.readableBytes < Self.copyChunkBytes {
                        encoder.append(row: batch.rows[row], to: &buffer)
                        row += 1
                    }
                }
                try await writer.write(buffer)
                buffer = ByteBufferAllocator().buffer(capacity: Self.copyChunkBytes + 65_536)
            }
        }
        return encoder.misfits
    }

    /// Refuses a batch whose rows do not all have one value per column, naming the first such row.
    static func checkWidth(_ batch: Batch, columns count: Int) throws {
        if let packed = batch.packed {
            guard packed.columnCount == count else {
                throw SluiceError(.badData, step: "row 1",
                                  "the rows have \(packed.columnCount) values but the batch has \(count) columns")
            }
            return
        }
        if let index = batch.rows.firstIndex(where: { $0.count != count }) {
            throw SluiceError(.badData, step: "row \(index + 1)",
                              "the row has \(batch.rows[index].count) values but the batch has \(count) columns")
        }
    }

    /// Refuses a keyed batch with an empty key value (PostgreSQL would refuse it too, without saying which row),
    /// naming the first such row and the column.
    static func checkKeys(_ batch: Batch, plan: CopyPlan) throws {
        let keyColumns = plan.primaryKey.compactMap { key in plan.columns.firstIndex(of: key).map { ($0, key) } }
        guard !keyColumns.isEmpty else { return }
        func empty(_ row: Int, _ name: String) -> SluiceError {
            SluiceError(.warehouse, step: "row \(row + 1)", "NOT NULL constraint failed: the primary key column \"\(name)\" is empty")
        }
        if let packed = batch.packed {
            try packed.withCells { cells in
                for row in 0..<packed.rowCount {
                    for (column, name) in keyColumns where cells.kind(row * packed.columnCount + column) == .null {
                        throw empty(row, name)
                    }
                }
            }
            return
        }
        for (row, values) in batch.rows.enumerated() {
            for (column, name) in keyColumns where values[column] == .null { throw empty(row, name) }
        }
    }
}
