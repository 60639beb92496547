import SluiceCore
import SluiceHTTP
import Testing

@Suite struct HTTPFetcherLimitTests {
    @Test func requestsToTheAPIWaitForTheRateLimiterButStorageHopsDoNot() async throws {
        let limiterClock = StoppedClock()
        let limiter = RateLimiter(limit: RateLimit(requests: 2, perSeconds: 10), clock: limiterClock)
        try await TestServer.run(host: "127.0.0.2", handler: { _ in .text(200, "file") }) { storage, _ in
            try await TestServer.run(handler: { request in
                request.path == "/download" ? .text(302, "", headers: [("Location", "\(storage)/f.csv")]) : .text(200, "page")
            }) { api, apiLog in
                try await withFetcher(rateLimiter: limiter) { fetcher in
                    _ = try await fetcher.send(.get("\(api)/download", step: "download"), authorizer: nil)
                    _ = try await fetcher.send(.get("\(api)/page", step: "page 1"), authorizer: nil)
                    #expect(limiterClock.waits.isEmpty)       // two API requests: the bucket's two tokens
                    _ = try await fetcher.send(.get("\(api)/page", step: "page 2"), authorizer: nil)
                    #expect(limiterClock.waits == [5])
                    #expect(apiLog.count == 3)
                }
            }
        }
    }

    @Test func aLinkToAnotherHostIsRefusedWithAClearError() async throws {
        try await withFetcher { fetcher in
            let base = "https://api.powerbi.com/v1.0/myorg"
            try fetcher.checkLink("https://wabi-west-us-redirect.analysis.windows.net/v1.0/myorg/admin/activityevents?continuationToken='x'",
                                  configuredBase: base, extraHostSuffixes: HostPolicy.powerBIHostSuffixes, step: "day 2024-05-01, page 2")
            let error = await sluiceError {
                try fetcher.checkLink("https://collector.example.com/steal?continuationToken='x'", configuredBase: base,
                                      step: "day 2024-05-01, page 2")
            }
            #expect(error?.kind == .badResponse)
            #expect(error?.message.hasPrefix("refusing to follow a link to https://collector.example.com/steal?[query redacted]") == true)
        }
    }
}
