import Foundation
import SluiceCore
import Testing
@testable import SluiceWarehouse

/// 2023-11-14 22:13:20.500 UTC: every timestamp the warehouse writes in these tests.
let fixedNow: Double = 1_700_000_000.5
let fixedNowText = "2023-11-14 22:13:20.500"

/// A fresh directory under the system temp directory, removed by ``remove()``.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "sluice-warehouse-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Runs `body` against a new warehouse file, then checks `PRAGMA integrity_check` and cleans up.
func withWarehouse(_ body: (SQLiteWarehouse, String) async throws -> Void) async throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = dir.path + "/warehouse.db"
    let warehouse = try SQLiteWarehouse.open(path: path, now: { fixedNow })
    try await body(warehouse, path)
    #expect(try await warehouse.integrityCheck() == "ok")
    await warehouse.close()
}

/// A second connection, as a BI tool would open one.
func openReader(_ path: String) throws -> SQLiteDatabase {
    try SQLiteDatabase(path: path, readOnly: true)
}

extension SQLiteDatabase {
    /// All rows of `sql` as values.
    func rows(_ sql: String, _ values: [Value] = []) throws -> [[Value]] {
        let stmt = try prepare(sql)
        return try stmt.query(values) { row in (0..<row.columnCount).map { row.value($0) } }
    }

    /// The single value of `sql`.
    func scalar(_ sql: String, _ values: [Value] = []) throws -> Value {
        try rows(sql, values).first?.first ?? .null
    }

    /// Whether a table called `name` exists.
    func tableExists(_ name: String) throws -> Bool {
        try scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1", [.text(name)])
            == .integer(1)
    }

    /// `name → declared type` from `PRAGMA table_info`.
    func declaredTypes(_ table: String) throws -> [String: String] {
        let rows = try rows("SELECT name, type FROM pragma_table_info(?1)", [.text(table)])
        var out: [String: String] = [:]
        for row in rows {
            if case .text(let name) = row[0], case .text(let type) = row[1] { out[name] = type }
        }
        return out
    }
}

/// An upsert batch into `table` keyed by `Id`; with `part`, one part of dataset `d1` (the last part when `part`
/// is `.last`).
func devicesBatch(_ rows: [[Value]], columns: [Column] = [Column("Id", .bigint), Column("Name", .text)],
                  table: String = "devices", key: [String] = ["Id"], checkpoint: [String: String] = [:],
                  part: PartOfDataset? = nil, origin: String = "page 1") -> Batch {
    Batch(target: TableTarget(table: table, mode: .upsert, primaryKey: key), columns: columns, rows: rows,
          checkpoint: checkpoint, origin: origin,
          dataset: part.map { DatasetPart(id: "d1", producedAt: "2026-03-01 10:00:00", name: "download d1", isLast: $0 == .last) })
}

/// Which part of a dataset a test batch is.
enum PartOfDataset {
    case middle, last
}

extension SQLiteDatabase {
    /// Whether a table or view called `name` exists.
    func nameExists(_ name: String) throws -> Bool {
        try scalar("SELECT count(*) FROM sqlite_master WHERE name = ?1", [.text(name)]) == .integer(1)
    }
}

/// The failure a fault hook throws.
struct InjectedFault: Error {}
