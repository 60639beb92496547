/// The standard cursor-feed job file the binary-driven suites run: table `feed_rows`, key `id`, the token read
/// from `FEED_TOKEN`.
package enum FeedJobFile {
    /// The YAML for a feed at `url` (the emulator's base URL), `pageSize` rows per page, plus `extra` lines.
    package static func yaml(url: String, pageSize: Int = 50, extra: String = "") -> String {
        """
        schedule: "every 1h"
        target:
          table: feed_rows
          primary_key: [id]
        source:
          type: cursor-feed
          base_url: "\(url)"
          dataset: access-requests
          token: { env: FEED_TOKEN }
          page_size: \(pageSize)
        \(extra)
        """
    }
}
