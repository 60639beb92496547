import Foundation
import SluiceCore
import SluiceEmulators

extension DemoPart {
    /// The cursor feed: 1,200 rows whose schema grows at row 901 (a new `region` column appears mid-run).
    static func cursorFeed() -> DemoPart {
        let token = "demo-feed-" + UUID().uuidString
        Redactor.shared.register(token)
        let feed = CursorFeedEmulator(.init(rowCount: 1200, expectedToken: token, schemaGrowthAtRow: 901))
        return DemoPart(
            emulators: [feed],
            jobFiles: [("demo-feed.yaml", demoFeedYAML)],
            environment: ["SLUICE_DEMO_FEED_TOKEN": token],
            placeholders: { urls in ["FEED_URL": urls[0]] },
            exampleQuery: "SELECT id, name, amount, updated_at_utc FROM demo_access_requests ORDER BY updated_at_utc DESC LIMIT 5;")
    }

    /// `jobs/demo/demo-feed.yaml`, byte for byte (a test keeps the two in step).
    static let demoFeedYAML = """
    # Demo job for `sluice demo`: the cursor-feed emulator ({ rows, nextCursor, schemaVersion }).
    # `sluice demo` replaces @@FEED_URL@@ with the emulator's loopback address and sets the token variable.
    schedule: "every 15m"
    target:
      table: demo_access_requests
      mode: upsert
      primary_key: [id]
    source:
      type: cursor-feed
      base_url: "@@FEED_URL@@"
      dataset: access-requests
      token: { env: SLUICE_DEMO_FEED_TOKEN }
      page_size: 100

    """
}
