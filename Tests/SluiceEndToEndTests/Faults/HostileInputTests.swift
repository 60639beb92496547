import Foundation
import SluiceEmulators
import SluiceTestSupport
import Testing

/// Hostile names and bytes never reach SQL as code, links and redirects never hand the token
/// to a stranger, oversized answers are bounded, and plain HTTP to a non-loopback host is refused.
@Suite("hostile input")
struct HostileInputTests {
    @Test(arguments: HostileName.allCases)
    func jsonKeysFromACursorFeedBecomeQuotedColumns(_ name: HostileName) async throws {
        let server = CraftedServer(.body(name.feedPage()))
        let dir = try TempDirectory("sluice-hostile")
        defer { dir.remove() }
        try await EmulatorServer.withRunning(server) { url in
            try dir.writeJob("feed", FeedFixture.jobYAML(url: url))
            let token = "tok-" + UUID().uuidString
            let h = FaultHarness(source: "cursor feed", job: "feed", dir: dir,
                                 environment: ["FEED_TOKEN": token], secrets: [token], tables: ["feed_rows"])
            let result = try await h.sluice(["run"])
            try Self.check(h, result, name, table: "feed_rows", keyColumn: "id")
            try await h.checkNoSecrets()
        }
    }

    @Test(arguments: HostileName.allCases)
    func csvHeadersFromAWS1DownloadBecomeQuotedColumns(_ name: HostileName) async throws {
        try await FaultHarness.ws1 { emulator, h in
            let file = h.dir.path + "/hostile.csv"
            try Data(name.csv()).write(to: URL(fileURLWithPath: file))
            emulator.addDownload(modifiedAt: WS1Fixture.day(1), csv: .file(file))
            let result = try await h.sluice(["run"])
            try Self.check(h, result, name, table: "devices", keyColumn: "device_udid")
        }
    }

    /// Loaded with every hostile value where it belongs, or (where allowed) refused cleanly; never SQL as code.
    static func check(_ h: FaultHarness, _ result: SluiceProcess.Result, _ name: HostileName, table: String,
                      keyColumn: String) throws {
        let context = "\(h.source), \(name)"
        let db = try h.reader()
        #expect(db.scalar("PRAGMA integrity_check") == "ok", "\(context)")
        for system in ["sluice_runs", "sluice_state", "sluice_columns"] {
            #expect(db.int("SELECT count(*) FROM sqlite_master WHERE name = ?", [system]) == 1, "\(context): \(system) is gone")
        }
        #expect(db.int("SELECT count(*) FROM sluice_runs") == 1, "\(context)")
        let run = try h.lastRun()
        guard result.exitCode == 0 else {
            #expect(name.mayFailCleanly, "\(context): refused: \(run.error)")
            #expect(result.exitCode == 1 && run.status == "failed", "\(context): \(result.combined)")
            #expect(run.error.contains("job '\(h.job)'"), "\(context): \(run.error)")
            #expect(db.int("SELECT count(*) FROM sqlite_master WHERE name = ?", [table]) == 0
                    || db.int("SELECT count(*) FROM \"\(table)\"") == 0, "\(context): partial rows visible")
            print("hostile input, \(context): refused cleanly: \(run.error)")
            return
        }
        #expect(run.status == "succeeded", "\(context)")
        #expect(db.int("SELECT count(*) FROM \"\(table)\"") == 2, "\(context)")
        #expect(db.int("SELECT count(*) FROM \"\(table)\" WHERE _sluice_run_id = (SELECT max(run_id) FROM sluice_runs)") == 2,
                "\(context): the metadata column was overwritten")
        let mapping = db.rows("SELECT source_name, column_name FROM sluice_columns WHERE table_name = ?", [table])
        let columns = mapping.compactMap { $0[1] }
        print("hostile input, \(context): loaded; columns " + mapping.map { row in
            "\((row[0] ?? "nil").debugDescription.prefix(40)) → \((row[1] ?? "nil").prefix(40))"
        }.joined(separator: ", "))
        #expect(Set(columns).count == columns.count, "\(context): two source names share a column: \(mapping)")
        let dataColumns = db.rows("SELECT name FROM pragma_table_info(?)", [table]).compactMap { $0[0] }
        for (k, bytes) in name.names.enumerated() {
            let column: String?
            if let text = String(validating: bytes, as: UTF8.self) {
                column = mapping.first { $0[0] == text }?[1] ?? nil
                #expect(column != nil, "\(context): no column for source name '\(text.prefix(60))': \(mapping.map { $0[0]?.prefix(40) })")
            } else {
                // A name that is not UTF-8 may be repaired; find its column by its values.
                column = dataColumns.first { c in
                    db.scalar("SELECT \(Self.quoted(c)) FROM \"\(table)\" ORDER BY \(keyColumn) LIMIT 1") == "v1-\(k)"
                }
                #expect(column != nil, "\(context): no column holds the values of the non-UTF-8 name")
            }
            guard let column else { continue }
            let values = db.rows("SELECT hex(\(Self.quoted(column))) FROM \"\(table)\" ORDER BY \(keyColumn)").map { $0[0] ?? "" }
            let decoded = values.map { Self.bytes(hex: $0) }
            #expect(decoded.allSatisfy { String(validating: $0, as: UTF8.self) != nil },
                    "\(context): invalid UTF-8 stored in \(column): \(values)")
            if name != .nonUTF8Value {
                #expect(decoded == [name.value(row: 1, column: k), name.value(row: 2, column: k)], "\(context): \(column)")
            } else {
                #expect(decoded.first.map { $0.starts(with: Array("v1".utf8)) } == true, "\(context): \(values)")
            }
        }
    }

    static func quoted(_ identifier: String) -> String { "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    static func bytes(hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
            out.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return out
    }
}
