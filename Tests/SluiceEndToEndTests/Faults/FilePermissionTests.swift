import Foundation
import SluiceTestSupport
import Testing

/// The warehouse is never readable by every user, and a secret anyone can read next
/// to a job file anyone can read draws a warning from `sluice validate`.
@Suite("file permissions")
struct FilePermissionTests {
    static func mode(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions].flatMap { ($0 as? NSNumber)?.intValue }
    }

    @Test func theWarehouseAndItsWALAreCreatedWithMode0640OrStricter() async throws {
        try await FaultHarness.cursorFeed { _, h in
            let result = try await h.sluice(["run"])
            #expect(result.exitCode == 0, "\(result.combined)")
            for suffix in ["", "-wal", "-shm"] {
                let path = h.dir.warehouse + suffix
                guard let mode = Self.mode(path) else {
                    #expect(suffix != "", "the warehouse was not created")
                    continue
                }
                // 0640 or stricter: no execute, no group write, nothing for others.
                #expect(mode & 0o137 == 0, "warehouse.db\(suffix) has mode \(String(mode, radix: 8))")
            }
        }
    }

    /// (job file mode, secret file mode, warning expected)
    static let cases: [(Int, Int, Bool)] = [(0o644, 0o644, true), (0o644, 0o600, false), (0o600, 0o644, false)]

    @Test(arguments: 0..<cases.count)
    func aWorldReadableSecretFileNamedByAWorldReadableJobFileDrawsAWarning(_ index: Int) async throws {
        let (jobMode, secretMode, warned) = Self.cases[index]
        let dir = try TempDirectory("sluice-perm")
        defer { dir.remove() }
        let secretValue = "file-secret-" + UUID().uuidString
        let secretPath = dir.path + "/feed-token"
        try secretValue.write(toFile: secretPath, atomically: true, encoding: .utf8)
        try dir.writeJob("feed", """
        schedule: "every 1h"
        source:
          type: cursor-feed
          base_url: https://feed.example.com/v1
          dataset: x
          token: { file: \(secretPath) }
        """)
        let jobPath = dir.jobs + "/feed.yaml"
        try FileManager.default.setAttributes([.posixPermissions: jobMode], ofItemAtPath: jobPath)
        try FileManager.default.setAttributes([.posixPermissions: secretMode], ofItemAtPath: secretPath)
        try #require(Self.mode(jobPath) == jobMode && Self.mode(secretPath) == secretMode)

        let result = try await SluiceProcess.run(["validate", "--jobs", dir.jobs], in: dir.path)
        let context = "job \(String(jobMode, radix: 8)), secret \(String(secretMode, radix: 8))"
        #expect(result.exitCode == 0, "\(context): \(result.combined)")
        let warning = result.stderr.split(separator: "\n").first { $0.contains("warning") }
        if warned {
            #expect(warning?.contains(secretPath) == true && warning?.contains("chmod o-r") == true,
                    "\(context): \(result.stderr)")
        } else {
            #expect(warning == nil, "\(context): \(result.stderr)")
        }
        #expect(!result.combined.contains(secretValue), "\(context): the secret's value was printed")
    }
}
