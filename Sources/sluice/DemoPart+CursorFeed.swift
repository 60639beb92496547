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
            templateOrigins: ["http://127.0.0.1:18401"],
            secrets: ["demo_feed_token": token],
            exampleQuery: "SELECT id, name, amount, updated_at_utc FROM demo_access_requests ORDER BY updated_at_utc DESC LIMIT 5;")
    }

    /// `jobs/demo/demo-feed.yaml`, byte for byte (a test keeps the two in step).
    static let demoFeedYAML = """
    # Demo job for `sluice demo`: the cursor-feed emulator ({ rows, nextCursor, schemaVersion }).
    # Valid as it stands; `sluice demo` writes a copy with the emulator's address in place of
    # http://127.0.0.1:18401 and its own secrets folder in place of /etc/sluice/credentials/.
    schedule: "every 15m"
    target:
      table: demo_access_requests
      mode: upsert
      primary_key: [id]
    source:
      type: cursor-feed
      base_url: "http://127.0.0.1:18401/api/bi/v1"
      dataset: access-requests
      token: { file: /etc/sluice/credentials/demo_feed_token }
      page_size: 100

    """
}
