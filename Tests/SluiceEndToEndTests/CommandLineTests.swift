import Foundation
import SluiceTestSupport
import Testing

/// The command-line contract: exit codes, validation messages, the demo.
@Suite("command line")
struct CommandLineTests {
    @Test func validateNamesFileAndLineAndExitsTwo() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        try dir.writeJob("broken", BrokenJobFileTests.broken)
        let result = try await SluiceProcess.run(["validate", "--jobs", dir.jobs], in: dir.path)
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("broken.yaml:6"))
        #expect(result.stderr.contains("tokn"))
    }

    @Test func aLiteralSecretIsRejectedWithoutEchoingIt() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        try dir.writeJob("leaky", """
        schedule: "every 1h"
        source:
          type: cursor-feed
          base_url: https://feed.example.com/v1
          dataset: x
          token: s3cr3t-literal-value
        """)
        let result = try await SluiceProcess.run(["validate", "--jobs", dir.jobs], in: dir.path)
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("leaky.yaml:6"))
        #expect(!result.combined.contains("s3cr3t-literal-value"))
    }

    @Test func plainHTTPToANonLoopbackHostIsRejected() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        try dir.writeJob("plain", """
        schedule: "every 1h"
        source:
          type: cursor-feed
          base_url: http://feed.example.com/v1
          dataset: x
          token: { env: X }
        """)
        let result = try await SluiceProcess.run(["validate", "--jobs", dir.jobs], in: dir.path)
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("plain.yaml:4"))
    }

    @Test func runningAnUnknownJobIsAUsageError() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let result = try await SluiceProcess.run(["run", "nope", "--jobs", dir.jobs, "--warehouse", dir.warehouse],
                                                 in: dir.path)
        #expect(result.exitCode == 2)
    }

    @Test func badFlagsExitTwo() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let result = try await SluiceProcess.run(["run", "--no-such-flag"], in: dir.path)
        #expect(result.exitCode == 2)
    }

    @Test func environmentVariablesSetTheDefaults() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        try dir.writeJob("ok", """
        schedule: "*/5 * * * *"
        source:
          type: cursor-feed
          base_url: https://feed.example.com/v1
          dataset: x
          token: { env: X }
        """)
        let result = try await SluiceProcess.run(["validate"], in: dir.path, environment: ["SLUICE_JOBS": dir.jobs])
        #expect(result.exitCode == 0, "\(result.combined)")
        #expect(result.stdout.contains("ok"))
    }

    @Test func theDemoRunsAndFillsTheWarehouse() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let result = try await SluiceProcess.run(["demo", "--warehouse", dir.warehouse], in: dir.path, timeout: 180)
        #expect(result.exitCode == 0, "\(result.combined)")
        let db = try WarehouseReader(dir.warehouse)
        #expect(db.int("SELECT count(*) FROM demo_access_requests") == 1200)
        #expect(result.stdout.contains("demo_access_requests: 1200 rows"))
        #expect(result.stdout.contains("sqlite3"))
    }

    @Test func theEmbeddedDemoJobsMatchTheFilesInJobsDemo() throws {
        // The binary embeds jobs/demo/*.yaml; `sluice demo` must run what the repository shows.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let sluiceSources = root.appendingPathComponent("Sources/sluice")
        let source = try FileManager.default.contentsOfDirectory(atPath: sluiceSources.path).filter { $0.hasPrefix("DemoPart") }
            .map { try String(contentsOf: sluiceSources.appendingPathComponent($0), encoding: .utf8) }.joined()
        let demoDir = root.appendingPathComponent("jobs/demo")
        for name in try FileManager.default.contentsOfDirectory(atPath: demoDir.path) where name.hasSuffix(".yaml") {
            let text = try String(contentsOf: demoDir.appendingPathComponent(name), encoding: .utf8)
            let indented = text.split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.isEmpty ? "" : "    " + $0 }.joined(separator: "\n")
            #expect(source.contains(indented), "jobs/demo/\(name) differs from its copy in Sources/sluice/DemoPart+*.swift")
        }
    }
}
