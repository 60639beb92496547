import Foundation
import SluiceEmulators
import SluiceTestSupport

/// A cursor-feed emulator on loopback plus a temp folder with a job file pointing at it.
struct FeedFixture {
    let feed: CursorFeedEmulator
    let url: String
    let dir: TempDirectory
    let token: String

    /// Environment for the binary: the token variable the job file references.
    var environment: [String: String] { ["FEED_TOKEN": token] }

    /// Runs `sluice args… --jobs <dir>/jobs --warehouse <dir>/warehouse.db`.
    func sluice(_ args: [String], environment extra: [String: String] = [:], timeout: Double = 120) async throws
        -> SluiceProcess.Result {
        var env = environment
        for (k, v) in extra { env[k] = v }
        return try await SluiceProcess.run(args + ["--jobs", dir.jobs, "--warehouse", dir.warehouse], in: dir.path,
                                           environment: env, timeout: timeout)
    }

    func reader() throws -> WarehouseReader { try WarehouseReader(dir.warehouse) }

    /// The standard job file for this feed.
    static func jobYAML(url: String, pageSize: Int = 50, extra: String = "") -> String {
        FeedJobFile.yaml(url: url, pageSize: pageSize, extra: extra)
    }

    /// Starts a feed, writes `feed.yaml`, runs `body`, then removes everything.
    static func with<T>(_ configuration: CursorFeedEmulator.Configuration = .init(), pageSize: Int = 50,
                        _ body: (FeedFixture) async throws -> T) async throws -> T {
        let token = "tok-" + UUID().uuidString
        var configuration = configuration
        configuration.expectedToken = token
        let feed = CursorFeedEmulator(configuration)
        let dir = try TempDirectory()
        defer { dir.remove() }
        return try await EmulatorServer.withRunning(feed) { url in
            try dir.writeJob("feed", jobYAML(url: url, pageSize: pageSize))
            return try await body(FeedFixture(feed: feed, url: url, dir: dir, token: token))
        }
    }
}
