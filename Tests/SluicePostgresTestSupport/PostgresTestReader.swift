import Foundation
package import PostgresNIO
package import SluiceCore

/// Reads a PostgreSQL warehouse the way an analyst's tool would: a connection of its own, plain SQL.
///
/// Values come back as ``Value``s in the SQLite warehouse's spellings, so one expectation fits both backends:
/// integers of any width are `.integer`, `double precision` is `.double`, timestamps are normalised UTC text
/// (`YYYY-MM-DD HH:MM:SS[.fff]`), dates `YYYY-MM-DD`, booleans `.integer(0/1)` (SQLite's BOOLEAN), text `.text`.
package final class PostgresTestReader: Sendable {
    package let connection: PostgresConnection
    package let schema: String

    private init(connection: PostgresConnection, schema: String) {
        self.connection = connection
        self.schema = schema
    }

    /// Connects to the test server with `schema` as the search path.
    package static func open(schema: String) async throws -> PostgresTestReader {
        var configuration = try TestPostgres.configuration()
        configuration.options.additionalStartupParameters = [("search_path", "\"\(schema)\""), ("TimeZone", "UTC")]
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 2,
                                                              logger: TestPostgres.quietLogger)
        return PostgresTestReader(connection: connection, schema: schema)
    }

    package func close() async { try? await connection.close() }

    /// Every row of `sql` (with `$1…` bound to `binds`).
    package func rows(_ sql: String, _ binds: [String] = []) async throws -> [[Value]] {
        var bindings = PostgresBindings()
        for bind in binds { bindings.append(bind) }
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: TestPostgres.quietLogger)
            .collect()
        return try rows.map { row in try row.map(Self.value) }
    }

    /// Runs a statement (for tests that change the database behind Sluice's back).
    package func execute(_ sql: String) async throws {
        try await connection.query(PostgresQuery(unsafeSQL: sql), logger: TestPostgres.quietLogger)
    }

    /// The first column of the first row (NULL when there is none).
    package func scalar(_ sql: String, _ binds: [String] = []) async throws -> Value {
        try await rows(sql, binds).first?.first ?? .null
    }

    /// An integer scalar (0 when absent or not an integer).
    package func int(_ sql: String, _ binds: [String] = []) async throws -> Int {
        if case .integer(let i) = try await scalar(sql, binds) { return Int(i) }
        return 0
    }

    /// Whether a table or view called `name` exists in the schema.
    package func nameExists(_ name: String) async throws -> Bool {
        try await scalar("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            + "WHERE n.nspname = $1 AND c.relname = $2", [schema, name]) == .integer(1)
    }

    /// `column → PostgreSQL type` (`format_type`) of a table or view.
    package func declaredTypes(_ table: String) async throws -> [String: String] {
        var types: [String: String] = [:]
        for row in try await rows("""
            SELECT a.attname::text, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
            WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
            """, ["\"\(schema)\".\"\(table)\""]) {
            if case .text(let name) = row[0], case .text(let type) = row[1] { types[name] = type }
        }
        return types
    }

    static func value(_ cell: PostgresCell) throws -> Value {
        guard var bytes = cell.bytes else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8, .oid:
            return .integer(try cell.decode(Int64.self))
        case .float4, .float8:
            return .double(try cell.decode(Double.self))
        case .bool:
            return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .timestamptz, .timestamp:
            guard let micros = bytes.readInteger(as: Int64.self) else { return .null }
            let epochMicros = micros + 946_684_800_000_000
            let seconds = Int64((Double(epochMicros) / 1_000_000).rounded(.down))
            let millis = Int((epochMicros - seconds * 1_000_000) / 1000)
            return .text(Timestamps.format(epochSecond: seconds, millis: millis == 0 ? nil : millis))
        case .date:
            guard let days = bytes.readInteger(as: Int32.self) else { return .null }
            return .text(String(Timestamps.format(epochSecond: (Int64(days) + 10_957) * 86_400).prefix(10)))
        default:
            return .text(try cell.decode(String.self))
        }
    }
}
