import Foundation
import Glibc
import SluiceEmulators
import SluiceTestSupport
import Testing

/// A daemon lives for months: what it keeps must not grow with the number of runs, and it must refuse the
/// file-system traps a shared machine can set for it.
@Suite("long-lived process", .serialized)
struct LongLivedProcessTests {
    @Test func oneTokenPerCredentialServesManyRunsOfTheDaemon() async throws {
        try await PowerBIFixture.with { f in
            try f.dir.writeJob("pbi", PowerBIFixture.jobYAML(url: f.url).replacingOccurrences(of: "every 1h", with: "every 1s"))
            let daemon = try SluiceProcess.start(["daemon", "--jobs", f.dir.jobs, "--warehouse", f.dir.warehouse],
                                                 in: f.dir.path, environment: f.environment)
            let statuses = { () -> [String] in
                guard let db = try? f.reader() else { return [] }
                return db.rows("SELECT status FROM sluice_runs WHERE job = 'pbi' AND status <> 'running'").map { $0[0] ?? "" }
            }
            let enough = try await eventually(within: 60) { statuses().count >= 4 }
            daemon.signal(SIGTERM)
            let result = try await daemon.wait(timeout: 30)
            #expect(enough, "\(statuses()) \(result.stderr)")
            #expect(statuses().allSatisfy { $0 == "succeeded" || $0 == "cancelled" }, "\(statuses())")
            #expect(f.emulator.tokenRequests == 1, "\(f.emulator.tokenRequests) token requests for \(statuses().count) runs")
        }
    }

    @Test func thePublishDestinationCannotBeTheWarehouseUnderAnySpelling() async throws {
        try await FeedFixture.with { f in
            try FileManager.default.createSymbolicLink(atPath: f.dir.path + "/alias", withDestinationPath: f.dir.path)
            for publish in [f.dir.path + "/./warehouse.db", f.dir.path + "/alias/warehouse.db"] {
                let result = try await f.sluice(["daemon", "--publish", publish], timeout: 20)
                #expect(result.exitCode == 2, "\(publish): \(result.combined)")
                #expect(result.stderr.contains("would overwrite the live warehouse"), "\(result.stderr)")
            }
        }
    }

    @Test func aLockFilePlantedAsASymbolicLinkIsRefused() async throws {
        try await FeedFixture.with { f in
            let locks = f.dir.warehouse + ".locks"
            try FileManager.default.createDirectory(atPath: locks, withIntermediateDirectories: true)
            let victim = f.dir.path + "/victim"
            _ = FileManager.default.createFile(atPath: victim, contents: Data("keep".utf8))
            try FileManager.default.createSymbolicLink(atPath: locks + "/feed.lock", withDestinationPath: victim)
            let result = try await f.sluice(["run"])
            #expect(result.exitCode == 1, "\(result.combined)")
            #expect(result.combined.contains("is a symbolic link"), "\(result.combined)")
            #expect(FileManager.default.contents(atPath: victim) == Data("keep".utf8))
        }
    }

    @Test func metricsOnEveryInterfaceAreWarnedAbout() async throws {
        try await FeedFixture.with { f in
            let daemon = try DaemonUnderTest.start(f, ["--metrics", "0.0.0.0:0"])
            let warned = try await eventually(within: 20) { daemon.log.contains("listens beyond this machine") }
            _ = try await daemon.terminate()
            #expect(warned, "\(daemon.log)")
        }
    }

    @Test func statusReadsWithoutWritingOrMigrating() async throws {
        try await FeedFixture.with { f in
            #expect(try await f.sluice(["run"]).exitCode == 0)
            // Make the file look like one written by an older Sluice: status must not bring it forward.
            try WarehouseReader.execute(on: f.dir.warehouse, "PRAGMA user_version = 1")
            let before = try FileManager.default.attributesOfItem(atPath: f.dir.warehouse)[.modificationDate] as? Date
            let status = try await f.sluice(["status"])
            #expect(status.exitCode == 0, "\(status.combined)")
            #expect(try f.reader().scalar("PRAGMA user_version") == "1")
            let after = try FileManager.default.attributesOfItem(atPath: f.dir.warehouse)[.modificationDate] as? Date
            #expect(before == after)
        }
    }
}
