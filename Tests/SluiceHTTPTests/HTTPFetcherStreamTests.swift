import SluiceCore
import SluiceHTTP
import Synchronization
import Testing
import NIOCore

@Suite struct HTTPFetcherStreamTests {
    @Test func aStreamedBodyArrivesChunkByChunkAfterRetries() async throws {
        let calls = Mutex(0)
        let chunks = (0..<20).map { i in [UInt8](repeating: UInt8(ascii: "a") + UInt8(i), count: 10_000) }
        try await TestServer.run(handler: { _ in
            let n = calls.withLock { count in
                count += 1
                return count
            }
            return n == 1 ? .text(429, "slow down", headers: [("Retry-After", "1")]) : Reply(status: 200, chunks: chunks)
        }) { base, log in
            // The buffered limit does not apply to streams.
            try await withFetcher(maxBodyBytes: 1000) { fetcher in
                var status = 0
                var received: [UInt8] = []
                try await fetcher.stream(.get("\(base)/export.csv", step: "download"), authorizer: nil,
                                         onHead: { head in status = head.status }) { chunk in
                    received.append(contentsOf: chunk.readableBytesView)
                }
                #expect(status == 200)
                #expect(received == chunks.flatMap { $0 })
                #expect(log.count == 2)
                #expect(fetcher.stats.bytesRead >= 200_000)
            }
        }
    }

    @Test func aStreamThatFailsWithAPermanentStatusNeverCallsTheBodyHandler() async throws {
        try await TestServer.run(handler: { _ in .text(403, "forbidden") }) { base, _ in
            try await withFetcher { fetcher in
                var called = false
                let error = await sluiceError {
                    try await fetcher.stream(.get("\(base)/export.csv", step: "download"), authorizer: nil) { _ in called = true }
                }
                #expect(error?.status == 403)
                #expect(error?.step == "download")
                #expect(!called)
            }
        }
    }

    @Test func anErrorThrownByTheBodyHandlerIsPassedThrough() async throws {
        try await TestServer.run(handler: { _ in Reply(status: 200, chunks: [Array("a,b\n".utf8), Array("1,2,3\n".utf8)]) }) { base, _ in
            try await withFetcher { fetcher in
                let error = await sluiceError {
                    try await fetcher.stream(.get("\(base)/export.csv", step: "download"), authorizer: nil) { _ in
                        throw SluiceError(.badResponse, step: "row 2", "wrong number of fields")
                    }
                }
                #expect(error?.step == "row 2")
            }
        }
    }
}
