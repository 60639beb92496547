import SluiceCore
import SluiceHTTP
import Synchronization
import Testing

/// Live requests over 127.0.0.1 against a Hummingbird server; the clock records waits instead of taking them.
@Suite struct HTTPFetcherRetryTests {
    @Test func a503IsRetriedUntilTheServerAnswers() async throws {
        let calls = Mutex(0)
        let clock = RecordingClock()
        try await TestServer.run(handler: { _ in
            let n = calls.withLock { count in
                count += 1
                return count
            }
            switch n {
            case 1: return .text(503, "busy")
            case 2: return .text(503, "busy", headers: [("Retry-After", "2")])
            default: return .text(200, #"{"rows":[]}"#)
            }
        }) { base, log in
            try await withFetcher(clock: clock) { fetcher in
                let response = try await fetcher.send(.get("\(base)/feed?cursor=abc", step: "page 1"), authorizer: nil)
                #expect(response.status == 200)
                #expect(response.text == #"{"rows":[]}"#)
                #expect(log.count == 3)
                // Backoff window after attempt 1 is 0.5 s; the second wait is the server's Retry-After.
                #expect(clock.waits == [0.5, 2])
                let stats = fetcher.stats
                #expect(stats.requests == 3)
                #expect(stats.status5xx == 2)
                #expect(stats.status2xx == 1)
                #expect(stats.retries == 2)
            }
        }
    }

    @Test func transientFailuresGiveUpAfterMaxAttempts() async throws {
        try await TestServer.run(handler: { _ in .text(502, "bad gateway") }) { base, log in
            try await withFetcher(maxAttempts: 3) { fetcher in
                let error = await sluiceError { _ = try await fetcher.send(.get("\(base)/x", step: "page 2"), authorizer: nil) }
                #expect(error?.kind == .network && error?.isRetryable == true)
                #expect(error?.status == 502)
                #expect(error?.message.contains("gave up after 3 attempts") == true)
                #expect(log.count == 3)
            }
        }
    }

    @Test func a404FailsAtOnceNamingJobStepAndStatus() async throws {
        let clock = RecordingClock()
        try await TestServer.run(handler: { _ in .text(404, #"{"errors":[{"message":"report not found"}]}"#) }) { base, log in
            try await withFetcher(clock: clock) { fetcher in
                let error = await sluiceError {
                    _ = try await fetcher.send(.get("\(base)/reports/42?token=abc", step: "page 3"), authorizer: nil)
                }
                let e = try #require(error)
                #expect(e.kind == .notFound && !e.isRetryable)
                #expect(e.status == 404)
                #expect(e.step == "page 3")
                #expect(e.job == "test-job")
                #expect(e.description.hasPrefix("job 'test-job', page 3: HTTP 404 from \(base)/reports/42?[query redacted]"))
                #expect(e.description.contains("report not found"))
                #expect(log.count == 1)
                #expect(clock.waits.isEmpty)
            }
        }
    }

    @Test func aBodyLargerThanTheLimitIsAClearError() async throws {
        let big = [UInt8](repeating: UInt8(ascii: "x"), count: 5000)
        try await TestServer.run(handler: { request in
            request.path == "/chunked" ? Reply(status: 200, chunks: [Array(big[..<2500]), Array(big[2500...])])
                                       : Reply(status: 200, body: big)
        }) { base, _ in
            try await withFetcher(maxBodyBytes: 1000) { fetcher in
                for path in ["/sized", "/chunked"] {
                    let error = await sluiceError { _ = try await fetcher.send(.get(base + path, step: "list downloads"), authorizer: nil) }
                    #expect(error?.kind == .badResponse && error?.isRetryable == false)
                    #expect(error?.message.contains("larger than 1000 bytes") == true)
                }
            }
        }
    }

    @Test func secretsNeverReachErrorsOrLogs() async throws {
        let redactor = Redactor()
        let logs = LogCapture()
        let token = "cursor-feed-token-0123456789"
        try await TestServer.run(handler: { request in
            // A careless server echoes what it got, token included.
            .text(request.path == "/busy" ? 503 : 400,
                  "bad request; you sent \(request.headers["authorization"] ?? "") and \(request.target)")
        }) { base, _ in
            try await withFetcher(maxAttempts: 2, redactor: redactor, logs: logs) { fetcher in
                let bearer = StaticBearer(token: token, redactor: redactor)
                for path in ["/bad", "/busy"] {
                    let request = HTTPRequest.get("\(base)\(path)?sig=signed-part-xyz&api_key=\(token)", step: "page 1")
                    let error = await sluiceError { _ = try await fetcher.send(request, authorizer: bearer) }
                    let text = try #require(error).description
                    #expect(!text.contains(token))
                    #expect(!text.contains("signed-part-xyz"))
                    #expect(text.contains("[REDACTED]"))
                }
                let logged = logs.all.joined(separator: "\n")
                #expect(!logged.isEmpty)
                #expect(!logged.contains(token))
                #expect(!logged.contains("signed-part-xyz"))
                #expect(logged.contains("job.name=test-job"))
                #expect(logged.contains("http.status=503"))
            }
        }
    }

    @Test func cancellationInterruptsTheRetryWait() async throws {
        try await TestServer.run(handler: { _ in .text(503, "later", headers: [("Retry-After", "600")]) }) { base, log in
            try await withFetcher(clock: ContinuousClock()) { fetcher in
                let error = try await withThrowingTaskGroup(of: SluiceError?.self) { group in
                    group.addTask {
                        await sluiceError { _ = try await fetcher.send(.get("\(base)/slow", step: "page 1"), authorizer: nil) }
                    }
                    for _ in 0..<500 where log.count == 0 { try await Task.sleep(for: .milliseconds(10)) }
                    group.cancelAll()
                    return try await group.next() ?? nil
                }
                #expect(error?.kind == .cancelled)
                #expect(log.count == 1)
            }
        }
    }

    @Test func aConnectionRefusedIsTransient() async throws {
        // Port 9 (discard) on 127.0.0.1 has no listener in the test environment; nothing leaves the machine.
        try await withFetcher(maxAttempts: 2) { fetcher in
            let error = await sluiceError { _ = try await fetcher.send(.get("http://127.0.0.1:9/x", step: "page 1"), authorizer: nil) }
            #expect(error?.kind == .network && error?.isRetryable == true)
            #expect(error?.message.contains("gave up after 2 attempts") == true)
            #expect(fetcher.stats.errors == 2)
        }
    }

    @Test func aServerThatDoesNotAnswerInTimeIsATransientTimeout() async throws {
        try await TestServer.run(handler: { _ in
            try? await Task.sleep(for: .seconds(2))
            return .text(200, "too late")
        }) { base, _ in
            try await withFetcher(maxAttempts: 1, timeoutSeconds: 0.2) { fetcher in
                let error = await sluiceError { _ = try await fetcher.send(.get("\(base)/hang", step: "page 1"), authorizer: nil) }
                #expect(error?.kind == .timeout && error?.isRetryable == true)
                #expect(error?.message.contains("failed") == true)
            }
        }
    }
}
