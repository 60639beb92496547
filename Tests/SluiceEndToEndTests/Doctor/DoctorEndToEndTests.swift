import Foundation
import SluiceTestSupport
import Testing
import SluiceEmulators

/// `sluice doctor` run as a user runs it, against the four emulators: the checklist, the exit code, the fixes,
/// and no secret in anything it prints.
@Suite("sluice doctor", .serialized)
struct DoctorEndToEndTests {
    @Test func everythingIsGreenAgainstTheEmulatorsAndPowerBIIsAskedOnce() async throws {
        try await DoctorFixture.with { f in
            let h = f.harness()
            let result = try await h.sluice(["doctor"])
            #expect(result.exitCode == 0, "\(result.combined)")
            #expect(!result.stdout.contains("✘") && !result.stdout.contains("\n  ! "), "\(result.stdout)")
            for job in DoctorFixture.jobs {
                #expect(!DoctorFixture.section("job \(job) ", in: result.stdout).isEmpty, "no section for \(job)")
            }
            let warehouse = DoctorFixture.section("warehouse ", in: result.stdout)
            #expect(DoctorFixture.line("WAL", in: warehouse).contains("✔"), "\(warehouse)")
            #expect(result.stdout.hasSuffix("everything is ✔ (exit 0)\n"))
            #expect(f.powerBI.journal.requestCount == 1, "\(f.powerBI.journal.requests)")
            #expect(!FileManager.default.fileExists(atPath: f.dir.warehouse), "doctor created the warehouse")
            try await h.checkNoSecrets()
        }
    }

    @Test func aWarehouseSluiceFilledPassesTheODBCLintAndTheJSONSaysOK() async throws {
        try await DoctorFixture.with { f in
            let h = f.harness()
            let run = try await h.sluice(["run"])
            #expect(run.exitCode == 0, "\(run.combined)")
            let pbiBefore = f.powerBI.journal.requestCount
            let result = try await h.sluice(["doctor", "--json"])
            #expect(result.exitCode == 0, "\(result.combined)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            #expect(json["ok"] as? Bool == true, "\(result.stdout)")
            let sections = json["sections"] as? [[String: Any]] ?? []
            #expect(sections.map { $0["name"] as? String ?? "" } == DoctorFixture.jobs + [f.dir.warehouse])
            let warehouseChecks = (sections.last?["checks"] as? [[String: Any]] ?? []).compactMap { $0["check"] as? String }
            #expect(warehouseChecks.contains("table types") && warehouseChecks.contains("views"), "\(warehouseChecks)")
            #expect(f.powerBI.journal.requestCount == pbiBefore + 1)
            try await h.checkNoSecrets()
        }
    }

    @Test func aWrongSecretFailsTheTokenCheckOfThatJobOnly() async throws {
        try await DoctorFixture.with { f in
            let wrong = "ws1-wrong-" + UUID().uuidString
            let h = f.harness { $0["WS1_CLIENT_SECRET"] = wrong }
            let result = try await h.sluice(["doctor"])
            #expect(result.exitCode == 1, "\(result.combined)")
            let ws1 = DoctorFixture.section("job ws1 ", in: result.stdout)
            let token = DoctorFixture.line("token", in: ws1)
            #expect(token.contains("✘ token") && token.contains("Intelligence rejected the client id/secret (HTTP 401"),
                    "\(result.stdout)")
            #expect(token.contains("→ check client_id and client_secret"), "\(token)")
            #expect(!DoctorFixture.section("job feed ", in: result.stdout).contains("✘"), "\(result.stdout)")
            #expect(!result.combined.contains(wrong), "the wrong secret was printed")
            #expect(f.ws1.journal.requestCount == 0, "the API was asked with no token")
            try await h.checkNoSecrets(extra: [wrong])
        }
    }

    @Test(arguments: [403, 404])
    func aReportNotSharedWithTheServiceAccountFailsWithTheFix(_ status: Int) async throws {
        try await DoctorFixture.with { f in
            f.ws1.setReportUnshared(status: status)
            let h = f.harness()
            let result = try await h.sluice(["doctor", "ws1"])
            #expect(result.exitCode == 1, "\(result.combined)")
            let report = DoctorFixture.line("report", in: DoctorFixture.section("job ws1 ", in: result.stdout))
            #expect(report.contains("✘ report") && report.contains("(HTTP \(status))"), "\(result.stdout)")
            #expect(report.contains("share the report with the service account"), "\(report)")
            #expect(DoctorFixture.section("job feed ", in: result.stdout).isEmpty, "only the named job is examined")
            try await h.checkNoSecrets()
        }
    }

    @Test func aMissingVariableIsNamedAndNoRequestIsMade() async throws {
        try await DoctorFixture.with { f in
            let h = f.harness { $0["PBI_CLIENT_SECRET"] = nil }
            let result = try await h.sluice(["doctor"])
            #expect(result.exitCode == 1, "\(result.combined)")
            let pbi = DoctorFixture.section("job pbi ", in: result.stdout)
            let secrets = DoctorFixture.line("secrets", in: pbi)
            #expect(secrets.contains("✘ secrets") && secrets.contains("environment variable PBI_CLIENT_SECRET is not set"),
                    "\(result.stdout)")
            #expect(secrets.contains("→ set PBI_CLIENT_SECRET"), "\(secrets)")
            #expect(f.powerBI.tokenRequests == 0 && f.powerBI.journal.requestCount == 0)
            #expect(!DoctorFixture.section("job citrix ", in: result.stdout).contains("✘"))
            try await h.checkNoSecrets()
        }
    }

    @Test func aWarehouseInAReadOnlyFolderFails() async throws {
        try await DoctorFixture.with { f in
            let folder = f.dir.path + "/readonly"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
            let guarded = try ReadOnlyFolder(folder)
            defer { guarded.release() }
            let result = try await SluiceProcess.run(["doctor", "feed", "--jobs", f.dir.jobs,
                                                      "--warehouse", folder + "/warehouse.db"],
                                                     in: f.dir.path, environment: f.environment, timeout: 120)
            #expect(result.exitCode == 1, "\(result.combined)")
            let warehouse = DoctorFixture.section("warehouse ", in: result.stdout)
            let line = DoctorFixture.line("folder", in: warehouse)
            #expect(line.contains("✘ folder") && line.contains("cannot create files in \(folder)"), "\(result.stdout)")
            #expect(line.contains("→ let the user sluice runs as write \(folder)"), "\(line)")
            #expect(DoctorFixture.section("job feed ", in: result.stdout).contains("✔ first page"), "\(result.stdout)")
        }
    }

    @Test func aBrokenJobFileIsReportedWithItsLineAndTheOthersAreStillChecked() async throws {
        try await DoctorFixture.with { f in
            try f.dir.writeJob("broken", "schedule: \"every 1h\"\nsource:\n  type: cursor-feed\n  base_url: https://x.example\n  datset: d\n")
            let h = f.harness()
            let result = try await h.sluice(["doctor"])
            #expect(result.exitCode == 1, "\(result.combined)")
            let broken = DoctorFixture.section("job file \(f.dir.jobs)/broken.yaml", in: result.stdout)
            #expect(broken.contains("✘ job file  \(f.dir.jobs)/broken.yaml:5: unknown key 'datset'"), "\(result.stdout)")
            for job in DoctorFixture.jobs {
                #expect(!DoctorFixture.section("job \(job) ", in: result.stdout).contains("✘"), "\(job): \(result.stdout)")
            }
            try await h.checkNoSecrets()
        }
    }
}

/// A folder nobody can create files in, not even root (which ignores mode bits): mode 0555 and, for root, the
/// immutable attribute. The test fails rather than pass vacuously when neither holds.
struct ReadOnlyFolder {
    let path: String
    let immutable: Bool

    init(_ path: String) throws {
        self.path = path
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: path)
        immutable = geteuid() == 0 && Self.chattr("+i", path)
        let probe = path + "/.probe"
        if FileManager.default.createFile(atPath: probe, contents: Data()) {
            try? FileManager.default.removeItem(atPath: probe)
            release()
            throw NotReadOnly(path: path)
        }
    }

    struct NotReadOnly: Error, CustomStringConvertible {
        let path: String
        var description: String { "could not make \(path) read-only on this machine" }
    }

    func release() {
        if immutable { _ = Self.chattr("-i", path) }
        try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }

    private static func chattr(_ flag: String, _ path: String) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/chattr")
        process.arguments = [flag, path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
