import Foundation
import Logging
import SluiceCore
import Testing
@testable import SluiceDaemon

/// SIGHUP reloads: new files start, removed files stop, a broken file keeps its previous definition.
@Suite("job reloader")
struct JobReloaderTests {
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func yaml(schedule: String) -> String {
        """
        schedule: "\(schedule)"
        target:
          primary_key: [id]
        source:
          type: cursor-feed
          base_url: "http://127.0.0.1:9/feed"
          dataset: things
          token: { env: FEED_TOKEN }
        """
    }

    func withFolder(_ body: (String) throws -> Void) throws {
        let dir = NSTemporaryDirectory() + "sluice-reload-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try body(dir)
    }

    func write(_ dir: String, _ name: String, _ text: String) throws {
        try text.write(toFile: dir + "/" + name + ".yaml", atomically: true, encoding: .utf8)
    }

    @Test func newFilesStartRemovedFilesStopAndChangedFilesTakeEffect() throws {
        try withFolder { dir in
            try write(dir, "a", Self.yaml(schedule: "every 1h"))
            try write(dir, "b", Self.yaml(schedule: "every 1h"))
            let reloader = JobReloader(directory: dir, logger: logger)
            let first = reloader.reload(previous: [])
            #expect(first.jobs.map(\.name) == ["a", "b"])
            try FileManager.default.removeItem(atPath: dir + "/b.yaml")
            try write(dir, "a", Self.yaml(schedule: "every 5m"))
            try write(dir, "c", Self.yaml(schedule: "every 1m"))
            let second = reloader.reload(previous: first.jobs)
            #expect(second.jobs.map(\.name) == ["a", "c"])
            #expect(second.jobs.first?.schedule == .every(seconds: 300))
            #expect(second.problems.isEmpty && second.kept.isEmpty)
        }
    }

    @Test func aBrokenFileIsReportedAndItsJobKeepsThePreviousDefinition() throws {
        try withFolder { dir in
            try write(dir, "a", Self.yaml(schedule: "every 1h"))
            let reloader = JobReloader(directory: dir, logger: logger)
            let first = reloader.reload(previous: [])
            try write(dir, "a", Self.yaml(schedule: "every banana"))
            let second = reloader.reload(previous: first.jobs)
            #expect(second.jobs.map(\.name) == ["a"])
            #expect(second.jobs.first?.schedule == .every(seconds: 3600))
            #expect(second.kept == ["a"])
            #expect(second.problems.count == 1)
            #expect(second.problems.first?.file.hasSuffix("a.yaml") == true)
        }
    }

    @Test func aMissingFolderKeepsEveryJob() throws {
        var kept: [JobDefinition] = []
        try withFolder { dir in
            try write(dir, "a", Self.yaml(schedule: "every 1h"))
            kept = JobReloader(directory: dir, logger: logger).reload(previous: []).jobs
        }
        let outcome = JobReloader(directory: "/nonexistent/sluice-jobs", logger: logger).reload(previous: kept)
        #expect(outcome.jobs.map(\.name) == ["a"])
        #expect(!outcome.problems.isEmpty)
    }
}
