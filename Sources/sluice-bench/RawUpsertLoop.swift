import CSQLite
import Foundation

/// The anchor for the upsert benchmark: a plain prepared-statement loop over the values Sluice stored.
///
/// The rows are read back from Sluice's table in chunks of 1000 (not timed) and upserted into a copy of the
/// table (same CREATE TABLE, same WAL/synchronous settings) with the same `INSERT … ON CONFLICT DO UPDATE`
/// statement Sluice uses, one transaction per 1000 rows; only the binding, stepping and commits are timed.
struct RawUpsertLoop {
    let sourcePath: String
    let table: String
    let targetPath: String

    enum Cell {
        case null, integer(Int64), double(Double), text(String)
    }

    /// Upserts every row once; returns the timed seconds.
    func pass() throws -> Double {
        let source = try Self.open(sourcePath)
        defer { sqlite3_close_v2(source) }
        let target = try Self.open(targetPath)
        defer { sqlite3_close_v2(target) }
        let quoted = "\"" + table + "\""
        let createSQL = try Self.column(source, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = '\(table)'").first ?? ""
        try Self.exec(target, createSQL.replacingOccurrences(of: "CREATE TABLE", with: "CREATE TABLE IF NOT EXISTS"))
        let columns = try Self.column(source, "SELECT name FROM pragma_table_info('\(table)') ORDER BY cid")
        let key = try Self.column(source, "SELECT name FROM pragma_table_info('\(table)') WHERE pk > 0 ORDER BY pk")
        let names = columns.map { "\"\($0)\"" }
        let data = columns.filter { !key.contains($0) && !$0.hasPrefix("_sluice_") }.map { "\"\($0)\"" }
        let metadata = columns.filter { $0.hasPrefix("_sluice_") }.map { "\"\($0)\"" }
        let sql = "INSERT INTO \(quoted) (\(names.joined(separator: ", "))) VALUES ("
            + (1...names.count).map { "?\($0)" }.joined(separator: ", ") + ") ON CONFLICT ("
            + key.map { "\"\($0)\"" }.joined(separator: ", ") + ") DO UPDATE SET "
            + (data + metadata).map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
            + " WHERE " + data.map { "\(quoted).\($0) IS NOT excluded.\($0)" }.joined(separator: " OR ")
        let insert = try Self.prepare(target, sql)
        defer { sqlite3_finalize(insert) }
        let read = try Self.prepare(source, "SELECT rowid, \(names.joined(separator: ", ")) FROM \(quoted) WHERE rowid > ?1 ORDER BY rowid LIMIT 1000")
        defer { sqlite3_finalize(read) }

        var lastRowID: Int64 = 0
        var timed = 0.0
        while true {
            sqlite3_bind_int64(read, 1, lastRowID)
            var chunk: [[Cell]] = []
            while sqlite3_step(read) == SQLITE_ROW {
                lastRowID = sqlite3_column_int64(read, 0)
                chunk.append((1...Int32(names.count)).map { Self.cell(read, $0) })
            }
            sqlite3_reset(read)
            if chunk.isEmpty { break }
            let start = ContinuousClock.now
            try Self.exec(target, "BEGIN IMMEDIATE")
            for row in chunk {
                for (index, cell) in row.enumerated() { Self.bind(insert, Int32(index + 1), cell) }
                guard sqlite3_step(insert) == SQLITE_DONE else {
                    throw BenchOptions.UsageError(description: "raw upsert failed: " + String(cString: sqlite3_errmsg(target)))
                }
                sqlite3_reset(insert)
            }
            try Self.exec(target, "COMMIT")
            timed += BenchMeasure.seconds(since: start)
        }
        return timed
    }

    private static func cell(_ stmt: OpaquePointer, _ index: Int32) -> Cell {
        switch sqlite3_column_type(stmt, index) {
        case SQLITE_NULL: return .null
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(stmt, index))
        case SQLITE_FLOAT: return .double(sqlite3_column_double(stmt, index))
        default:
            guard let text = sqlite3_column_text(stmt, index) else { return .null }
            return .text(String(cString: text))
        }
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private static func bind(_ stmt: OpaquePointer, _ index: Int32, _ cell: Cell) {
        switch cell {
        case .null: sqlite3_bind_null(stmt, index)
        case .integer(let i): sqlite3_bind_int64(stmt, index, i)
        case .double(let d): sqlite3_bind_double(stmt, index, d)
        case .text(var s):
            s.withUTF8 { buffer in
                buffer.withMemoryRebound(to: CChar.self) {
                    _ = sqlite3_bind_text64(stmt, index, $0.baseAddress ?? UnsafePointer(bitPattern: 1),
                                            sqlite3_uint64($0.count), transient, UInt8(SQLITE_UTF8))
                }
            }
        }
    }

    static func open(_ path: String) throws -> OpaquePointer {
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil) == SQLITE_OK, let db else {
            throw BenchOptions.UsageError(description: "cannot open \(path)")
        }
        // The warehouse's settings, so the anchor pays the same durability cost (the page size applies to a
        // new file only, as in the warehouse).
        try exec(db, "PRAGMA page_size=16384")
        try exec(db, "PRAGMA journal_mode=WAL")
        try exec(db, "PRAGMA synchronous=NORMAL")
        return db
    }

    static func exec(_ db: OpaquePointer, _ sql: String) throws {
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
            throw BenchOptions.UsageError(description: "SQL failed: " + String(cString: sqlite3_errmsg(db)))
        }
    }

    static func prepare(_ db: OpaquePointer, _ sql: String) throws -> OpaquePointer {
        var stmt: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &stmt, nil) == SQLITE_OK, let stmt else {
            throw BenchOptions.UsageError(description: "prepare failed: " + String(cString: sqlite3_errmsg(db)))
        }
        return stmt
    }

    static func column(_ db: OpaquePointer, _ sql: String) throws -> [String] {
        let stmt = try prepare(db, sql)
        defer { sqlite3_finalize(stmt) }
        var out: [String] = []
        while sqlite3_step(stmt) == SQLITE_ROW { out.append(sqlite3_column_text(stmt, 0).map { String(cString: $0) } ?? "") }
        return out
    }
}
