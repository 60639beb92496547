import Foundation
import SluiceTestSupport
import Testing

/// A connection error is transient. Connections reset by the peer (TCP RST), before the answer
/// or in the middle of its body, are retried and the run ends `succeeded` with the page's rows. The HTTP layer
/// is shared by every source; the cursor feed's shape is the one a raw socket server can serve simply.
@Suite("connection resets are recovered")
struct ConnectionResetTests {
    static let page = Array((#"{"rows":[{"id":1,"updated_at_utc":"2026-01-01T00:00:00Z","name":"a"},"#
        + #"{"id":2,"updated_at_utc":"2026-01-01T00:01:00Z","name":"b"}],"nextCursor":null,"schemaVersion":1}"#).utf8)

    @Test(arguments: [ResettingServer.Cut.beforeResponse, .midBody])
    func aResetConnectionIsRetried(_ cut: ResettingServer.Cut) async throws {
        let server = try ResettingServer(resets: 2, cut: cut, body: Self.page)
        defer { server.stop() }
        let dir = try TempDirectory("sluice-reset")
        defer { dir.remove() }
        try dir.writeJob("feed", FeedFixture.jobYAML(url: server.url))
        let token = "tok-" + UUID().uuidString
        let h = FaultHarness(source: "cursor feed, \(cut)", job: "feed", dir: dir, environment: ["FEED_TOKEN": token],
                             secrets: [token], tables: ["feed_rows"])
        let result = try await h.sluice(["run"])
        #expect(result.exitCode == 0, "\(cut): \(result.combined)")
        #expect(try h.lastRun().status == "succeeded")
        #expect(try h.reader().rows("SELECT id, name FROM feed_rows ORDER BY id") == [["1", "a"], ["2", "b"]])
        #expect(server.connections == 3, "\(cut): \(server.connections) connections")
        try await h.checkNoSecrets()
    }
}
