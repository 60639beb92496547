package import AsyncHTTPClient
package import NIOCore

/// Makes the `HTTPClient` that ``HTTPFetcher`` needs: redirects disallowed (the fetcher follows them itself,
/// dropping `Authorization` across hosts), connect and read timeouts set.
package enum HTTPClientFactory {
    /// The client configuration. `readTimeoutSeconds` bounds the silence between two body chunks of a
    /// streamed download (the per-request timeout covers only the head there).
    package static func configuration(connectTimeoutSeconds: Double = 10,
                                     readTimeoutSeconds: Double = 120) -> HTTPClient.Configuration {
        var pool = HTTPClient.Configuration.ConnectionPool()
        // The fetcher retries with backoff and counts attempts; the pool retrying a refused connection on its
        // own until the deadline would hide the failure and stretch every attempt to the full timeout.
        pool.retryConnectionEstablishment = false
        return HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .milliseconds(Int64(connectTimeoutSeconds * 1000)),
                           read: .milliseconds(Int64(readTimeoutSeconds * 1000))),
            connectionPool: pool,
            decompression: .disabled
        )
    }

    /// A client on the shared event loop group; the caller shuts it down (prefer ``withHTTPClient(connectTimeoutSeconds:readTimeoutSeconds:isolation:_:)``).
    package static func makeClient(connectTimeoutSeconds: Double = 10, readTimeoutSeconds: Double = 120) -> HTTPClient {
        HTTPClient(eventLoopGroupProvider: .singleton,
                   configuration: configuration(connectTimeoutSeconds: connectTimeoutSeconds,
                                                readTimeoutSeconds: readTimeoutSeconds))
    }

    /// Runs `body` with a new client and shuts the client down afterwards, whether `body` throws or not.
    package static func withHTTPClient<Result>(
        connectTimeoutSeconds: Double = 10,
        readTimeoutSeconds: Double = 120,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (HTTPClient) async throws -> Result
    ) async throws -> Result {
        try await HTTPClient.withHTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup,
            configuration: configuration(connectTimeoutSeconds: connectTimeoutSeconds, readTimeoutSeconds: readTimeoutSeconds),
            isolation: isolation,
            body
        )
    }
}

extension HTTPFetcher {
    /// The client configuration a fetcher needs (redirects disallowed); see ``HTTPClientFactory/configuration(connectTimeoutSeconds:readTimeoutSeconds:)``.
    package static func clientConfiguration(connectTimeoutSeconds: Double = 10,
                                           readTimeoutSeconds: Double = 120) -> HTTPClient.Configuration {
        HTTPClientFactory.configuration(connectTimeoutSeconds: connectTimeoutSeconds, readTimeoutSeconds: readTimeoutSeconds)
    }
}
