import CSQLite
import Foundation
import Logging
import SluiceCore
import SluicePostgres
import SluicePostgresTestSupport
import SluiceWarehouse
import Testing

/// 2023-11-14 22:13:20.500 UTC: every timestamp the warehouses write in these tests.
let fixedNow: Double = 1_700_000_000.5
let fixedNowText = "2023-11-14 22:13:20.500"

/// The warehouse backends the contract runs against.
enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    var testDescription: String { rawValue }
}

/// One warehouse under test and a reader of it, as an analyst's tool would open one: a SQLite read-only
/// connection to the file, or a PostgreSQL connection of its own to the test schema.
///
/// The reader answers plain SQL that both dialects share, with values in the SQLite warehouse's spellings (see
/// ``PostgresTestReader``), so the same expectation holds for both.
final class Harness {
    let backend: Backend
    private(set) var warehouse: any Warehouse
    private let location: String
    private var sqliteReader: OpaquePointer?
    private var postgresReader: PostgresTestReader?

    private init(backend: Backend, warehouse: any Warehouse, location: String) {
        self.backend = backend
        self.warehouse = warehouse
        self.location = location
    }

    /// Runs `body` against a new, empty warehouse of `backend`; fails when PostgreSQL is not configured.
    static func with(_ backend: Backend, test: String = #function, _ body: (Harness) async throws -> Void) async throws {
        switch backend {
        case .sqlite:
            let folder = NSTemporaryDirectory() + "sluice-contract-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let path = folder + "/warehouse.db"
            let harness = Harness(backend: .sqlite, warehouse: try SQLiteWarehouse.open(path: path, now: { fixedNow }),
                                  location: path)
            defer { harness.closeReader() }
            try await body(harness)
            await harness.warehouse.close()
        case .postgres:
            guard TestPostgres.isConfigured else { throw TestPostgres.unavailable(test) }
            let schema = TestPostgres.freshSchema("contract")
            let harness = Harness(backend: .postgres, warehouse: try makePostgres(schema: schema), location: schema)
            do {
                try await body(harness)
            } catch {
                await harness.finish()
                await TestPostgres.dropSchema(schema)
                throw error
            }
            await harness.finish()
            await TestPostgres.dropSchema(schema)
        }
    }

    static func makePostgres(schema: String) throws -> PostgresWarehouse {
        let location = try PostgresLocation(parsing: TestPostgres.url!)
        let connector = try PostgresConnector(location: location, schema: schema, password: TestPostgres.password,
                                              logger: Logger(label: "contract"))
        return PostgresWarehouse(connector: connector, logger: Logger(label: "contract"), now: { fixedNow })
    }

    private func finish() async {
        await warehouse.close()
        await postgresReader?.close()
        postgresReader = nil
    }

    private func closeReader() {
        if let sqliteReader { sqlite3_close(sqliteReader) }
        sqliteReader = nil
    }

    /// Closes the warehouse and opens it again (a new process on the same warehouse).
    func reopen() async throws {
        await warehouse.close()
        switch backend {
        case .sqlite: warehouse = try SQLiteWarehouse.open(path: location, now: { fixedNow })
        case .postgres: warehouse = try Self.makePostgres(schema: location)
        }
    }

    // MARK: Reading

    /// Every row of `sql`.
    func rows(_ sql: String) async throws -> [[Value]] {
        switch backend {
        case .sqlite: return try sqliteRows(sql)
        case .postgres: return try await postgres().rows(sql)
        }
    }

    /// The single value of `sql` (NULL when there is no row).
    func scalar(_ sql: String) async throws -> Value { try await rows(sql).first?.first ?? .null }

    /// Whether a table or view called `name` exists.
    func nameExists(_ name: String) async throws -> Bool {
        switch backend {
        case .sqlite: return try sqliteRows("SELECT count(*) FROM sqlite_master WHERE name = '\(name)'") == [[.integer(1)]]
        case .postgres: return try await postgres().nameExists(name)
        }
    }

    /// The declared type of every column of `table` as a Sluice type (nil: a type Sluice does not write).
    func declaredTypes(_ table: String) async throws -> [String: ColumnType?] {
        switch backend {
        case .sqlite:
            var types: [String: ColumnType?] = [:]
            for row in try sqliteRows("SELECT name, type FROM pragma_table_info('\(table)')") {
                if case .text(let name) = row[0], case .text(let type) = row[1] { types.updateValue(ColumnType(rawValue: type), forKey: name) }
            }
            return types
        case .postgres:
            return try await postgres().declaredTypes(table).mapValues(Self.sluiceType)
        }
    }

    /// The primary key columns of `table`, in key order.
    func primaryKey(_ table: String) async throws -> [String] {
        let sql: String
        switch backend {
        case .sqlite: sql = "SELECT name FROM pragma_table_info('\(table)') WHERE pk > 0 ORDER BY pk"
        case .postgres:
            sql = """
                SELECT a.attname::text FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid
                    AND a.attnum = ANY(i.indkey) WHERE i.indrelid = to_regclass('\(table)') AND i.indisprimary
                ORDER BY array_position(i.indkey::int2[], a.attnum)
                """
        }
        return try await rows(sql).compactMap { if case .text(let name) = $0[0] { name } else { nil } }
    }

    /// Rows stored for snapshot table `table`, published or not (SQLite: its row table; PostgreSQL: every load
    /// table, attached as a partition or still loading).
    func storedSnapshotRows(_ table: String) async throws -> Int {
        switch backend {
        case .sqlite:
            guard try await nameExists("sluice_rows_\(table)") else { return 0 }
            return try Self.int(await scalar("SELECT count(*) FROM sluice_rows_\(table)"))
        case .postgres:
            let reader = try await postgres()
            let loads = try await reader.rows("""
                SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname LIKE 'sluice\\_load\\_%'
                """, [location])
            var total = 0
            for case let .text(name) in loads.map({ $0[0] }) {
                total += try await reader.int("SELECT count(*) FROM \"\(name)\"")
            }
            return total
        }
    }

    static func int(_ value: Value) -> Int { if case .integer(let i) = value { Int(i) } else { -1 } }

    private static func sluiceType(_ formatted: String) -> ColumnType? {
        ["bigint": .bigint, "double precision": .double, "boolean": .boolean, "timestamp with time zone": .timestamp,
         "date": .date, "text": .text][formatted]
    }

    private func postgres() async throws -> PostgresTestReader {
        if let postgresReader { return postgresReader }
        let reader = try await PostgresTestReader.open(schema: location)
        postgresReader = reader
        return reader
    }

    private func sqliteRows(_ sql: String) throws -> [[Value]] {
        if sqliteReader == nil {
            guard sqlite3_open_v2(location, &sqliteReader, SQLITE_OPEN_READONLY, nil) == SQLITE_OK else {
                throw TestPostgresError(message: "cannot open \(location)")
            }
            sqlite3_busy_timeout(sqliteReader, 5000)
        }
        var stmt: OpaquePointer?
        guard sqlite3_prepare_v2(sqliteReader, sql, -1, &stmt, nil) == SQLITE_OK else {
            throw TestPostgresError(message: String(cString: sqlite3_errmsg(sqliteReader)))
        }
        defer { sqlite3_finalize(stmt) }
        var out: [[Value]] = []
        while sqlite3_step(stmt) == SQLITE_ROW {
            out.append((0..<sqlite3_column_count(stmt)).map { column in
                switch sqlite3_column_type(stmt, column) {
                case SQLITE_NULL: return .null
                case SQLITE_INTEGER: return .integer(sqlite3_column_int64(stmt, column))
                case SQLITE_FLOAT: return .double(sqlite3_column_double(stmt, column))
                default: return .text(String(cString: sqlite3_column_text(stmt, column)))
                }
            })
        }
        return out
    }
}
