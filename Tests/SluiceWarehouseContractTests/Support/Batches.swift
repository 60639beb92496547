import SluiceCore

/// Which part of a dataset a test batch is.
enum PartOfDataset {
    case middle, last
}

/// An upsert batch into `table` keyed by `Id`; with `part`, one part of dataset `d1`.
func devicesBatch(_ rows: [[Value]], columns: [Column] = [Column("Id", .bigint), Column("Name", .text)],
                  table: String = "devices", key: [String] = ["Id"], checkpoint: [String: String] = [:],
                  part: PartOfDataset? = nil, origin: String = "page 1") -> Batch {
    Batch(target: TableTarget(table: table, mode: .upsert, primaryKey: key), columns: columns, rows: rows,
          checkpoint: checkpoint, origin: origin,
          dataset: part.map { DatasetPart(id: "d1", producedAt: "2026-03-01 10:00:00", name: "download d1", isLast: $0 == .last) })
}

/// A snapshot-mode batch of device names: a part of dataset `id` (the last one unless `isLast` is false).
func snapshotBatch(_ names: [String], id: String, at: String, isLast: Bool = true, keep: Int? = nil,
                   columns: [Column] = [Column("Device Name", .text)], checkpoint: [String: String] = [:],
                   table: String = "devices") -> Batch {
    Batch(target: TableTarget(table: table, mode: .snapshot, keepSnapshots: keep), columns: columns,
          rows: names.map { name in [.text(name)] + Array(repeating: Value.null, count: columns.count - 1) },
          checkpoint: checkpoint, origin: "download \(id)",
          dataset: DatasetPart(id: id, producedAt: at, name: "download \(id)", isLast: isLast))
}

/// A replace-mode batch of device names.
func replaceBatch(_ names: [String], isLast: Bool = true, columns: [Column] = [Column("Device Name", .text)],
                  checkpoint: [String: String] = [:]) -> Batch {
    Batch(target: TableTarget(table: "devices", mode: .replace), columns: columns,
          rows: names.map { name in [.text(name)] + Array(repeating: Value.integer(7), count: columns.count - 1) },
          checkpoint: checkpoint, origin: "download",
          dataset: DatasetPart(id: "d", producedAt: "2026-03-01 10:00:00", name: "download d", isLast: isLast))
}

extension Batch {
    /// The same batch with its rows in packed form (as the WS1 CSV loader hands them over).
    var packedForm: Batch {
        var packed = PackedRows(columnCount: columns.count)
        for row in rows {
            for value in row { packed.append(value) }
            packed.endRow()
        }
        var copy = self
        copy.rows = []
        copy.packed = packed
        return copy
    }
}
