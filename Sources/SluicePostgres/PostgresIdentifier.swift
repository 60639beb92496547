import SluiceCore
import Foundation

/// Identifiers in PostgreSQL SQL text: quoting, the checks on names from job files and command lines, and the
/// names of Sluice's internal tables (cut to PostgreSQL's 63 bytes with a stable hash, never silently truncated
/// by the server).
enum PostgresIdentifier {
    /// `name` in double quotes with inner quotes doubled: any text is one identifier and never code.
    static func quote(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `"schema"."name"`.
    static func qualified(_ schema: String, _ name: String) -> String {
        quote(schema) + "." + quote(name)
    }

    /// `name` as a SQL string literal. Only for names Sluice validated itself (table and schema names, which are
    /// `[a-z_][a-z0-9_]*`), in DDL that cannot take parameters (a view's definition); never for a value.
    static func literal(validatedName name: String) -> String {
        "'" + name.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// Checks a data table name the way the SQLite warehouse does: `[a-z_][a-z0-9_]*`, at most 63 bytes, not
    /// starting with `sluice_` (system tables).
    static func validateTableName(_ name: String) throws(SluiceError) {
        guard isPlainName(name) else {
            throw SluiceError(.config, step: "target table",
                              "table name '\(name)' is not valid: use lower-case letters, digits and '_', "
                                  + "starting with a letter or '_', at most \(ColumnNaming.maxLength) characters")
        }
        guard !name.hasPrefix("sluice_") else {
            throw SluiceError(.config, step: "target table",
                              "table name '\(name)' is reserved: names starting with 'sluice_' are system tables")
        }
    }

    /// Checks `--warehouse-schema`: a plain lower-case name, not one of PostgreSQL's own (`pg_…`,
    /// `information_schema`).
    static func validateSchema(_ name: String) throws(SluiceError) {
        guard isPlainName(name), !name.hasPrefix("pg_"), name != "information_schema" else {
            throw SluiceError(.config, step: "warehouse schema",
                              "schema name '\(name)' is not valid: use lower-case letters, digits and '_', starting "
                                  + "with a letter or '_', at most \(ColumnNaming.maxLength) characters, not pg_…")
        }
    }

    /// The partitioned table holding the rows of snapshot table `table` (readers use the views).
    static func rowsTable(_ table: String) -> String {
        ColumnNaming.shortened("sluice_rows_" + table, fullName: table)
    }

    /// The table one snapshot load is written to before it becomes a partition of the rows table.
    static func loadTable(_ loadID: Int64) -> String { "sluice_load_\(loadID)" }

    /// The unlogged table a `replace` or `upsert` dataset is staged in until it publishes.
    static func stagingTable(_ loadID: Int64) -> String { "sluice_stage_\(loadID)" }

    /// The session's temporary table a page of `table` is copied into before the merge; one per column set.
    static func pageTable(_ table: String, columns: [String]) -> String {
        let hash = hex8(([table] + columns).joined(separator: "\u{0}"))
        return ColumnNaming.shortened("sluice_page_" + table, fullName: table, suffix: "_" + hash)
    }

    /// 8 hex digits of the 32-bit FNV-1a hash of `text` (stable across runs and machines).
    static func hex8(_ text: String) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    private static func isPlainName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        return !bytes.isEmpty && bytes.count <= ColumnNaming.maxLength
            && bytes.enumerated().allSatisfy { offset, b in
                (b >= 97 && b <= 122) || b == 95 || (offset > 0 && b >= 48 && b <= 57)
            }
    }
}
