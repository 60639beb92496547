import Foundation
import Glibc
import SluiceTestSupport
import Testing

/// `sluice demo` as a newcomer meets it: the queries it suggests work, the job files in `jobs/demo/` validate,
/// and `--serve` leaves a folder that a second terminal can use.
@Suite("demo, end to end")
struct DemoEndToEndTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func everyQueryTheDemoPrintsRunsAgainstItsWarehouse() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let result = try await SluiceProcess.run(["demo", "--warehouse", dir.warehouse], in: dir.path, timeout: 180)
        #expect(result.exitCode == 0, "\(result.combined.suffix(2000))")
        let prefix = "sqlite3 \(dir.warehouse) \""
        let queries = result.stdout.split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.hasPrefix(prefix) && $0.hasSuffix("\"") }
            .map { String($0.dropFirst(prefix.count).dropLast()) }
        #expect(queries.count >= 5, "\(result.stdout)")
        let db = try WarehouseReader(dir.warehouse)
        for query in queries {
            let rows = db.rows(query)
            #expect(!rows.isEmpty, "no rows (or no such table): \(query)")
            #expect(!rows.contains { $0.first??.hasPrefix("error: ") == true }, "\(query): \(rows.first ?? [])")
        }
    }

    @Test func theJobFilesInJobsDemoValidateAsTheyStand() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let demoJobs = Self.repository.appendingPathComponent("jobs/demo").path
        let result = try await SluiceProcess.run(["validate", "--jobs", demoJobs], in: dir.path)
        #expect(result.exitCode == 0, "\(result.combined)")
        #expect(result.stdout.contains("4 jobs valid"), "\(result.stdout)")
    }

    @Test func serveKeepsAFolderThatASecondTerminalCanUseAndStopsOnCtrlC() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let demo = try SluiceProcess.start(["demo", "--serve", "--metrics", "127.0.0.1:0"], in: dir.path)
        let output = { (try? String(contentsOfFile: demo.outPath, encoding: .utf8)) ?? "" }
        let listening = try await eventually(within: 60) { output().contains("/metrics") }
        guard listening else {
            demo.signal(SIGKILL)
            let result = try await demo.wait(timeout: 10)
            Issue.record("no metrics address printed: \(result.combined.suffix(2000))")
            return
        }
        let metricsLine = output().split(separator: "\n").first { $0.contains("metrics:") }.map(String.init) ?? ""
        #expect(metricsLine.contains("http://127.0.0.1:") && !metricsLine.contains(":0/"), "\(metricsLine)")

        // The folder holds the job files, with secrets as file references, never literally.
        let folder = dir.path + "/sluice-demo"
        let jobNames = try FileManager.default.contentsOfDirectory(atPath: folder + "/jobs").sorted()
        #expect(jobNames == ["demo-citrix.yaml", "demo-feed.yaml", "demo-powerbi.yaml", "demo-ws1.yaml"])
        let feedJob = try String(contentsOfFile: folder + "/jobs/demo-feed.yaml", encoding: .utf8)
        let token = try String(contentsOfFile: folder + "/secrets/demo_feed_token", encoding: .utf8)
        #expect(feedJob.contains("{ file: \(folder)/secrets/demo_feed_token }"), "\(feedJob)")
        #expect(!token.isEmpty && !feedJob.contains(token))
        let mode = try FileManager.default.attributesOfItem(atPath: folder + "/secrets/demo_feed_token")[.posixPermissions] as? Int
        #expect(mode == 0o600)

        // A second terminal: status on the folder shows every job, once the daemon has run the feed.
        let statusArgs = ["status", "--jobs", "sluice-demo/jobs", "--warehouse", "sluice-demo/warehouse.db"]
        _ = try await eventually(within: 90) {
            (try? WarehouseReader(folder + "/warehouse.db"))?.scalar(
                "SELECT status FROM sluice_runs WHERE job = 'demo-feed' AND status <> 'running'") != nil
        }
        let status = try await SluiceProcess.run(statusArgs, in: dir.path, timeout: 60)
        for job in ["demo-feed", "demo-citrix", "demo-powerbi", "demo-ws1"] {
            #expect(status.stdout.contains("\(job)  ["), "\(job) missing: \(status.combined)")
        }
        #expect(status.stdout.contains("last run #"), "\(status.stdout)")

        demo.signal(SIGINT)
        let result = try await demo.wait(timeout: 60)
        #expect(result.exitCode == 0, "\(result.combined.suffix(2000))")
        #expect(!result.combined.contains(token))
    }
}
