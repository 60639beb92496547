import Foundation
import Testing
import SluiceTestSupport

/// The secret scan every fault test ends with must itself be able to fail.
@Suite("secret scan")
struct SecretScanSelfTests {
    @Test func theScanReportsAValuePresentInTheWarehouseAndTheOutput() async throws {
        try await withKnownIssue("the planted values are found") {
            try await FaultHarness.cursorFeed { _, h in
                let result = try await h.sluice(["run"])
                #expect(result.exitCode == 0)
                // A table name (in the warehouse bytes) and a line the binary prints stand in for leaked secrets.
                try await h.checkNoSecrets(extra: ["feed_rows", "feed"])
            }
        } matching: { issue in
            issue.comments.contains { $0.rawValue.contains("a configured secret appears") }
        }
    }
}
