import AsyncHTTPClient
import Foundation
import Logging
import SluiceCore
import SluiceEmulators
import SluiceHTTP
import SluiceSources
import Synchronization
import Testing

/// The cursor-feed source in process against its emulator: the fetching task runs a page ahead of assembly,
/// which must change neither the batches nor what a cancelled run reports.
@Suite("cursor-feed source")
struct CursorFeedSourceTests {
    /// Runs one pull of a 250-row feed in pages of 100; `onBatch` sees each batch as it is emitted.
    static func pull(_ feed: CursorFeedEmulator, url: String,
                     onBatch: @escaping @Sendable (Batch) async -> Void) async throws -> PullOutcome {
        let job = JobDefinition(name: "feed", file: "feed.yaml", schedule: .every(seconds: 3600),
                                target: TargetSettings(table: "feed_rows", mode: .upsert, primaryKey: ["id"]),
                                source: .cursorFeed(CursorFeedSettings(baseURL: url, dataset: "access-requests", token: nil,
                                                                       pageSize: 100)))
        return try await HTTPClientFactory.withHTTPClient { client in
            let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
            let fetcher = HTTPFetcher(client: client, job: job.name, settings: HTTPSettings(maxAttempts: 1),
                                      logger: logger, redactor: Redactor())
            let context = SourceContext(fetcher: fetcher, secrets: SecretResolver(environment: [:]), logger: logger,
                                        rateLimiters: RateLimiterRegistry())
            let source = CursorFeedSource(settings: CursorFeedSettings(baseURL: url, dataset: "access-requests",
                                                                       token: nil, pageSize: 100), context: context)
            let request = PullRequest(job: job, state: [:], trigger: .manual, now: Date().timeIntervalSince1970)
            return try await source.pull(request) { await onBatch($0) }
        }
    }

    @Test func everyPageBecomesOneBatchInOrderWithItsWatermark() async throws {
        let feed = CursorFeedEmulator(.init(rowCount: 250))
        let batches = Mutex<[Batch]>([])
        let outcome = try await EmulatorServer.withRunning(feed) { url in
            try await Self.pull(feed, url: url) { batch in batches.withLock { $0.append(batch) } }
        }
        #expect(outcome == .completed)
        let seen = batches.withLock { $0 }
        #expect(seen.map(\.rows.count) == [100, 100, 50])
        #expect(seen.map(\.origin) == ["page 1 of access-requests", "page 2 of access-requests", "page 3 of access-requests"])
        #expect(seen.map { $0.checkpoint["watermark"] } == ["2026-01-01T01:39:00Z", "2026-01-01T03:19:00Z", "2026-01-01T04:09:00Z"])
        #expect(feed.journal.requestCount == 3)
    }

    @Test func aCancelledPullThrowsInsteadOfReportingTheFeedComplete() async throws {
        let feed = CursorFeedEmulator(.init(rowCount: 250))
        try await EmulatorServer.withRunning(feed) { url in
            let firstBatch = AsyncStream<Void>.makeStream()
            let task = Task {
                try await Self.pull(feed, url: url) { _ in
                    feed.faults.setDelay(.seconds(30))  // every later page hangs until cancelled
                    firstBatch.continuation.yield()
                }
            }
            var waiter = firstBatch.stream.makeAsyncIterator()
            _ = await waiter.next()
            task.cancel()
            let result = await task.result
            switch result {
            case .success(let outcome): Issue.record("a cancelled pull returned \(outcome)")
            case .failure(let error): #expect(error is CancellationError || "\(error)".contains("cancel"), "\(error)")
            }
        }
    }
}
