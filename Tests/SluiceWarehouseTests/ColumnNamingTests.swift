import Testing
import SluiceCore
@testable import SluiceWarehouse

@Suite("Column naming")
struct ColumnNamingTests {
    @Test("source names become the documented snake_case identifiers", arguments: [
        ("Device Friendly Name", "device_friendly_name"),
        ("WorkSpaceName", "workspace_name"),
        ("WorkspaceId", "workspace_id"),
        ("SessionKey", "session_key"),
        ("ODataID", "odata_id"),
        ("IPAddress", "ip_address"),
        ("ClientIP", "client_ip"),
        ("userID", "user_id"),
        ("CreationTime", "creation_time"),
        ("LogOnDuration", "logon_duration"),
        ("DesktopOSDesktopSummaries", "desktop_os_desktop_summaries"),
        ("device_last_seen_utc", "device_last_seen_utc"),
        ("x\"; DROP TABLE t; --", "x_drop_table_t"),
        ("  --Größe (MB)--  ", "gr_e_mb"),
        ("", "column"),
        ("\"; --", "column"),
        ("2fa enabled", "c_2fa_enabled"),
        ("_sluice_run_id", "sluice_run_id"),
        ("select", "select"),
    ])
    func identifier(source: String, expected: String) {
        #expect(ColumnNaming.identifier(for: source) == expected)
    }

    @Test func identifiersNeverStartWithTheMetadataPrefix() {
        for source in ["_sluice_loaded_at", "__sluice", "_Sluice_x"] {
            #expect(!ColumnNaming.identifier(for: source).hasPrefix("_"))
        }
    }

    @Test func longNamesAreCutTo63BytesWithAStableDistinctHash() {
        let a = String(repeating: "Very Long Column Name ", count: 10) + "A"
        let b = String(repeating: "Very Long Column Name ", count: 10) + "B"
        let nameA = ColumnNaming.identifier(for: a)
        #expect(nameA.utf8.count <= 63)
        #expect(nameA == ColumnNaming.identifier(for: a))
        #expect(nameA != ColumnNaming.identifier(for: b))
        #expect(nameA.hasPrefix("very_long_column_name_very_long"))
    }

    @Test func collisionsGetNumberedSuffixesInFirstSeenOrder() {
        var allocator = ColumnNameAllocator(taken: ["_sluice_run_id", "Device_Name_2"])
        #expect(allocator.allocate(for: "Device Name") == "device_name")
        #expect(allocator.allocate(for: "device_name") == "device_name_3")
        #expect(allocator.allocate(for: "DEVICE-NAME") == "device_name_4")
        #expect(allocator.allocate(for: "Other") == "other")
    }

    @Test func suffixedLongNamesStayWithinTheLimit() {
        let long = String(repeating: "x", count: 100)
        var allocator = ColumnNameAllocator(taken: [])
        let first = allocator.allocate(for: long)
        let second = allocator.allocate(for: long)
        #expect(first != second)
        #expect(second.utf8.count <= 63)
        #expect(second.hasSuffix("_2"))
    }

    @Test func repeatedSourceNamesInOneBatchKeepSeparateColumns() {
        #expect(Column.uniqueSourceNames(["Name", "Name", "Id", "Name"])
            == ["Name", "Name (2)", "Id", "Name (3)"])
    }

    @Test func identifiersAreQuotedWithInnerQuotesDoubled() {
        #expect(SQLIdentifier.quote("a\"b") == "\"a\"\"b\"")
    }

    @Test("table names must be plain lower-case identifiers outside sluice_", arguments: [
        "Devices", "1devices", "devices; DROP TABLE x", "", "sluice_runs", "dev-ices", "tëst",
    ])
    func invalidTableNamesAreRejected(name: String) {
        #expect(throws: SluiceError.self) { try SQLIdentifier.validateTableName(name) }
    }

    @Test func validTableNamesPass() throws {
        for name in ["devices", "_private", "pbi_activity_2024", "sluicey"] {
            try SQLIdentifier.validateTableName(name)
        }
    }
}
