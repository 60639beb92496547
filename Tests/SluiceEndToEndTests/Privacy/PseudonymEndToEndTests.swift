import Foundation
import SluiceEmulators
import SluiceTestSupport
import Testing

/// `pseudonymise:` and `drop:` through the built binary against the Power BI emulator: no clear address
/// reaches the warehouse, its WAL, a log line or `status`, and the pseudonyms still count people right.
@Suite("pseudonymised power bi, end to end")
struct PseudonymEndToEndTests {
    static let fields = "[UserId, ClientIP, SharingInformation.RecipientEmail]"

    /// A Power BI job into `table` with the three fields pseudonymised and `UserKey` dropped.
    static func job(_ f: PowerBIFixture, table: String, pseudonymise: String? = fields) -> String {
        var target = "target:\n  table: \(table)\n"
        if let pseudonymise {
            target += "  pseudonymise: \(pseudonymise)\n  drop: [UserKey]\n  pseudonym_key: { env: PBI_PSEUDONYM_KEY }\n"
        }
        return PowerBIFixture.jobYAML(url: f.url).replacingOccurrences(of: "target:\n  table: pbi_events\n", with: target)
    }

    static func sluice(_ f: PowerBIFixture, _ args: [String], key: String, jobs: String? = nil,
                       warehouse: String? = nil) async throws -> SluiceProcess.Result {
        try await SluiceProcess.run(args + ["--jobs", jobs ?? f.dir.jobs, "--warehouse", warehouse ?? f.dir.warehouse],
                                    in: f.dir.path, environment: f.environment.merging(["PBI_PSEUDONYM_KEY": key]) { $1 },
                                    timeout: 120)
    }

    /// Clear values the emulator serves that must never appear: every address is at contoso.com, every IP in 10.0.0-3.x.
    static let needles = ["@contoso.com", "10.0.0.", "10.0.1.", "10.0.2.", "10.0.3."].map { Array($0.utf8) }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        return haystack.withUnsafeBufferPointer { bytes in
            (0...(bytes.count - needle.count)).contains { start in
                bytes[start] == needle[0] && Array(bytes[start..<(start + needle.count)]) == needle
            }
        }
    }

    @Test func pseudonymisedFieldsLeaveNoClearValueAndStillCountPeople() async throws {
        try await PowerBIFixture.with { f in
            let key = "pseudonym-key-" + UUID().uuidString
            try f.dir.writeJob("pbi", Self.job(f, table: "pbi_events"))
            try f.dir.writeJob("pbi-copy", Self.job(f, table: "pbi_events_copy"))
            let first = try await Self.sluice(f, ["run", "--verbose"], key: key)
            #expect(first.exitCode == 0, "\(first.combined)")
            let db = try f.reader()
            let total = f.emulator.eventCount
            #expect(db.int("SELECT count(*) FROM pbi_events") == total)
            let before = db.rows("SELECT id, user_id, client_ip FROM pbi_events ORDER BY id")

            // Pseudonyms are 32 hex characters; the dropped field has no column and no catalog entry.
            let users = db.rows("SELECT DISTINCT user_id FROM pbi_events").compactMap { $0[0] }
            #expect(users.allSatisfy { $0.count == 32 && $0.allSatisfy(\.isHexDigit) })
            #expect(db.declaredTypes("pbi_events")["user_key"] == nil)
            #expect(db.int("SELECT count(*) FROM sluice_columns WHERE source_name = 'UserKey'") == 0)
            #expect(db.int("SELECT count(*) FROM sluice_pseudonyms WHERE table_name IN ('pbi_events', 'pbi_events_copy')") == 2)
            let sharing = db.scalar("SELECT sharing_information FROM pbi_events WHERE activity = 'ShareDashboard' LIMIT 1") ?? ""
            #expect(sharing.hasPrefix("[{\"RecipientEmail\":\"") && sharing.contains("\"ResharePermission\":\"Read\""))

            // Equal across two jobs with the same key.
            #expect(db.int("SELECT count(*) FROM pbi_events a JOIN pbi_events_copy b USING (id)") == total)
            #expect(db.int("SELECT count(*) FROM pbi_events a JOIN pbi_events_copy b USING (id) "
                           + "WHERE a.user_id IS NOT b.user_id OR a.client_ip IS NOT b.client_ip "
                           + "OR a.sharing_information IS NOT b.sharing_information") == 0)

            // Stable across runs: the second run re-reads the late-arrival hour and writes the same pseudonyms.
            let second = try await Self.sluice(f, ["run", "--verbose"], key: key)
            #expect(second.exitCode == 0, "\(second.combined)")
            #expect(db.rows("SELECT id, user_id, client_ip FROM pbi_events ORDER BY id") == before)
            #expect(f.emulator.journal.requestCount > 0)

            // Distinct people and events per person match the clear data, pulled by a clear job elsewhere.
            let clear = try TempDirectory("sluice-clear")
            defer { clear.remove() }
            try clear.writeJob("pbi", Self.job(f, table: "pbi_events", pseudonymise: nil))
            let clearRun = try await Self.sluice(f, ["run"], key: key, jobs: clear.jobs, warehouse: clear.warehouse)
            #expect(clearRun.exitCode == 0, "\(clearRun.combined)")
            let clearDB = try WarehouseReader(clear.warehouse)
            for column in ["user_id", "client_ip"] {
                let perPerson = "SELECT count(*) FROM pbi_events GROUP BY \(column) ORDER BY 1"
                #expect(db.rows(perPerson) == clearDB.rows(perPerson))
                #expect(db.int("SELECT count(DISTINCT \(column)) FROM pbi_events")
                        == clearDB.int("SELECT count(DISTINCT \(column)) FROM pbi_events"))
            }
            #expect(clearDB.int("SELECT count(DISTINCT user_id) FROM pbi_events") == 9)
            // The scan below must be able to fail: the clear warehouse does hold the addresses.
            let clearBytes = try Array(Data(contentsOf: URL(fileURLWithPath: clear.warehouse)))
                + ((try? Array(Data(contentsOf: URL(fileURLWithPath: clear.warehouse + "-wal")))) ?? [])
            #expect(Self.contains(clearBytes, Self.needles[0]))

            let status = try await Self.sluice(f, ["status"], key: key)
            let statusJSON = try await Self.sluice(f, ["status", "--json"], key: key)
            #expect(statusJSON.stdout.contains("\"job\":\"pbi-copy\""))
            var scanned: [(String, [UInt8])] = []
            for file in [f.dir.warehouse, f.dir.warehouse + "-wal", f.dir.warehouse + "-shm"] {
                if let data = FileManager.default.contents(atPath: file) { scanned.append((file, Array(data))) }
            }
            #expect(scanned.count >= 1)
            for (name, result) in [("first run", first), ("second run", second), ("status", status), ("status --json", statusJSON)] {
                scanned.append((name, Array(result.combined.utf8)))
            }
            for (name, bytes) in scanned {
                for needle in Self.needles {
                    #expect(!Self.contains(bytes, needle), "\(name) holds \(String(decoding: needle, as: UTF8.self))")
                }
                #expect(!Self.contains(bytes, Array(key.utf8)), "\(name) holds the pseudonym key")
            }
        }
    }

    @Test func aChangedKeyIsRefusedByValidateAndByTheRunUntilTheTableIsNew() async throws {
        try await PowerBIFixture.with { f in
            try f.dir.writeJob("pbi", Self.job(f, table: "pbi_events"))
            let first = try await Self.sluice(f, ["run"], key: "first-key-0123456789")
            #expect(first.exitCode == 0, "\(first.combined)")
            #expect(try await Self.sluice(f, ["validate"], key: "first-key-0123456789").exitCode == 0)

            let refused = try await Self.sluice(f, ["validate"], key: "second-key-0123456789")
            #expect(refused.exitCode == 2, "\(refused.combined)")
            #expect(refused.stderr.contains("table 'pbi_events' holds pseudonyms made with another pseudonym_key"))
            #expect(refused.stderr.contains("set a new target.table"))
            #expect(!refused.combined.contains("second-key-0123456789") && !refused.combined.contains("first-key-0123456789"))
            let rows = try f.reader().int("SELECT count(*) FROM pbi_events")

            let run = try await Self.sluice(f, ["run"], key: "second-key-0123456789")
            #expect(run.exitCode == 1, "\(run.combined)")
            #expect(run.combined.contains("another pseudonym_key"))
            #expect(try f.reader().int("SELECT count(*) FROM pbi_events") == rows)

            // Without the key at hand (validate on another machine) the field list is still compared.
            let withoutKey = try await SluiceProcess.run(["validate", "--jobs", f.dir.jobs, "--warehouse", f.dir.warehouse],
                                                         in: f.dir.path, environment: f.environment, timeout: 60)
            #expect(withoutKey.exitCode == 0, "\(withoutKey.combined)")
            #expect(withoutKey.stderr.contains("note: job 'pbi': pseudonym_key not compared with the warehouse"))

            // A new list on the same table is refused too; a new table starts over.
            try f.dir.writeJob("pbi", Self.job(f, table: "pbi_events", pseudonymise: "[UserId]"))
            let fewer = try await Self.sluice(f, ["validate"], key: "first-key-0123456789")
            #expect(fewer.exitCode == 2 && fewer.stderr.contains("but the job now pseudonymises UserId"), "\(fewer.combined)")
            try f.dir.writeJob("pbi", Self.job(f, table: "pbi_events_v2"))
            let fresh = try await Self.sluice(f, ["validate"], key: "second-key-0123456789")
            #expect(fresh.exitCode == 0, "\(fresh.combined)")
        }
    }
}
