import Foundation
import SluiceEmulators
import SluiceTestSupport

/// A cursor-feed emulator on loopback, a temp folder with a job file pointing at it, and the built `sluice`
/// binary to fill `warehouse.db` from it.
///
/// The feed covers every column kind the warehouse declares: `id` BIGINT, `amount` DOUBLE, `active` BOOLEAN,
/// `updated_at_utc` TIMESTAMP, `created_on` DATE, text and JSON as TEXT, plus the `_sluice_*` metadata columns.
struct WarehouseFixture {
    let feed: CursorFeedEmulator
    let url: String
    let dir: TempDirectory
    let token: String

    var warehouse: String { dir.warehouse }

    /// Runs `sluice args… --jobs <dir>/jobs --warehouse <dir>/warehouse.db` to completion.
    func sluice(_ args: [String], timeout: Double = 180) async throws -> SluiceProcess.Result {
        try await start(args).wait(timeout: timeout)
    }

    /// Starts `sluice args…` without waiting, for readers that work while it writes.
    func start(_ args: [String]) throws -> SluiceProcess.Running {
        try SluiceProcess.start(args + ["--jobs", dir.jobs, "--warehouse", dir.warehouse], in: dir.path,
                                environment: ["FEED_TOKEN": token])
    }

    /// A read-only SQLite connection to the warehouse, to compare what ODBC shows with what SQLite holds.
    func sqlite() throws -> SQLiteFile { try SQLiteFile(dir.warehouse) }

    /// An ODBC connection to the warehouse through the SQLite3 driver.
    func odbc() throws -> ODBCConnection { try ODBCConnection.warehouse(dir.warehouse) }

    /// Starts a feed of `rows` rows served `pageSize` at a time, writes `feed.yaml`, runs `body`, cleans up.
    static func with<T>(rows: Int = 250, pageSize: Int = 50, _ body: (WarehouseFixture) async throws -> T)
        async throws -> T {
        let token = "tok-" + UUID().uuidString
        let feed = CursorFeedEmulator(.init(rowCount: rows, expectedToken: token))
        let dir = try TempDirectory()
        defer { dir.remove() }
        return try await EmulatorServer.withRunning(feed) { url in
            try dir.writeJob("feed", FeedJobFile.yaml(url: url, pageSize: pageSize))
            return try await body(WarehouseFixture(feed: feed, url: url, dir: dir, token: token))
        }
    }
}
