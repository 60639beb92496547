import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import SluiceCore
import FoundationEssentials
import Synchronization

extension HTTPFetcher {
    /// One answer, after redirects.
    struct Exchange: Sendable {
        var status: Int
        var headers: [HTTPHeader]
        /// The URL that answered.
        var url: String
        /// The whole body (buffered mode, 2xx) or its start (error answers).
        var body: [UInt8]
        /// The unread body of a 2xx answer in streamed mode.
        var live: HTTPClientResponse.Body?
        /// The `Authorization` value sent on the hop that answered; nil when none was sent.
        var sentAuthorization: String?

        func header(_ name: String) -> String? { headers.firstValue(named: name) }
    }

    static let redirectStatuses: Set<Int> = [301, 302, 303, 307, 308]
    /// The only request headers that follow a redirect to another origin. Everything else (credentials,
    /// `Citrix-CustomerId`, any header a source adds) stays with the origin the job configured.
    static let crossOriginHeaders: Set<String> = ["accept", "user-agent"]

    /// One attempt: follows up to ``maxRedirects`` redirects and sends the credential only to the origin of
    /// `request.url` (scheme, host and port), so a signed storage URL never sees the API token.
    ///
    /// A hop to another origin carries only ``crossOriginHeaders`` and never a body (a 307/308 that would
    /// re-send one there is refused); a request that must not be redirected at all (a token request, whose
    /// body is the secret) fails on any redirect. The query values of a redirect's target (a signed URL's
    /// signature) are registered with the redactor for this job, so an error body echoing them is redacted.
    func exchange(_ request: HTTPRequest, authorizer: (any Authorizer)?, attempt: Int, mode: BodyMode) async throws -> Exchange {
        guard let origin = URLParts(request.url) else {
            throw SluiceError(.config, job: job, step: request.step,
                              "\(Redactor.safeURL(request.url)) is not an absolute http(s) URL")
        }
        var method = request.method
        var body = request.body
        var url = request.url
        var hops = 0
        while true {
            if let reason = URLRules.validateScheme(url) {
                // The job's own URL is a configuration error; a redirect's target is the server's doing.
                throw SluiceError(hops == 0 ? .config : .badResponse, job: job, step: request.step,
                                  "refusing \(Redactor.safeURL(url)): it \(reason)")
            }
            guard let target = URLParts(url) else {
                throw SluiceError(.badResponse, job: job, step: request.step, "\(Redactor.safeURL(url)) is not an absolute URL")
            }
            var headers = request.headers
            var sentAuthorization: String?
            if target.isSameOrigin(as: origin) {
                if let authorizer {
                    let header = try await authorizer.authorizationHeader()
                    headers.removeAll { $0.name.lowercased() == header.name.lowercased() }
                    headers.append(HTTPHeader(header.name, header.value))
                    sentAuthorization = header.value
                }
                // The limit is the API's: a hop to a storage host does not count against it.
                try await rateLimiter?.acquire()
            } else {
                headers.removeAll { !Self.crossOriginHeaders.contains($0.name.lowercased()) }
            }
            if body == nil {
                headers.removeAll { ["content-type", "content-length"].contains($0.name.lowercased()) }
            }
            var result = try await hop(method: method, url: url, headers: headers, body: body, mode: mode,
                                       step: request.step, attempt: attempt)
            result.sentAuthorization = sentAuthorization
            guard Self.redirectStatuses.contains(result.status), let location = result.header("Location") else {
                return result
            }
            let next = target.resolve(location)
            let nextHost = URLParts(next)?.host ?? Redactor.safeURL(next)
            guard request.followsRedirects else {
                throw SluiceError(.badResponse, job: job, step: request.step,
                                  "\(Redactor.safeURL(request.url)) answered with a redirect (HTTP \(result.status)) to "
                                      + "\(nextHost); this request carries a credential and is never redirected "
                                      + "(check the URL in the job file)", status: result.status)
            }
            hops += 1
            guard hops <= maxRedirects else {
                throw SluiceError(.badResponse, job: job, step: request.step,
                                  "more than \(maxRedirects) redirects starting at \(Redactor.safeURL(request.url))",
                                  status: result.status)
            }
            // 303 always, and 301/302 after a POST (what every client does), turn into a body-less GET.
            if result.status == 303 || (result.status <= 302 && method == "POST") {
                method = "GET"
                body = nil
            }
            if body != nil, let nextParts = URLParts(next), !nextParts.isSameOrigin(as: origin) {
                throw SluiceError(.badResponse, job: job, step: request.step,
                                  "refusing to re-send the request body to \(nextHost): a redirect (HTTP \(result.status)) "
                                      + "points away from \(origin.host)", status: result.status)
            }
            let queryValues = URLParts.queryValues(next)
            if !queryValues.isEmpty { redactor.rotate(queryValues, slot: "redirect \(job)") }
            url = next
        }
    }

    /// One HTTP request/response, with the per-request timeout, counters and a debug log line.
    private func hop(method: String, url: String, headers: [HTTPHeader], body: [UInt8]?, mode: BodyMode,
                     step: String, attempt: Int) async throws -> Exchange {
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        for header in headers { request.headers.add(name: header.name, value: header.value) }
        if let body {
            request.body = .bytes(body)
        } else if ["POST", "PUT", "PATCH"].contains(method) {
            // An explicit `Content-Length: 0`: some token endpoints answer a body-less POST without it with 411.
            request.body = .bytes([UInt8]())
        }
        let started = ContinuousClock.now
        var meta: Logger.Metadata = ["job.name": "\(job)", "http.method": "\(method)", "http.attempt": "\(attempt)"]
        do {
            let result: Exchange
            switch mode {
            case .buffered:
                let prepared = request
                result = try await withTimeout(seconds: settings.timeoutSeconds) {
                    try await self.execute(prepared, url: url, step: step, mode: .buffered)
                }
            case .streamed:
                result = try await execute(request, url: url, step: step, mode: .streamed)
            }
            meta["http.status"] = "\(result.status)"
            meta["http.duration_ms"] = "\(milliseconds(since: started))"
            logger.debug("\(method) \(Redactor.safeURL(url)) → \(result.status) in \(milliseconds(since: started)) ms (attempt \(attempt))",
                         metadata: meta)
            return result
        } catch let error as SluiceError {
            throw error
        } catch {
            counters.withLock { $0.errors += 1 }
            observer?.failed(job: job)
            meta["http.duration_ms"] = "\(milliseconds(since: started))"
            let summary = TransportErrors.summary(error, redactor: redactor)
            logger.debug("\(method) \(Redactor.safeURL(url)) failed after \(milliseconds(since: started)) ms (attempt \(attempt)): \(summary)",
                         metadata: meta)
            throw error
        }
    }

    /// Sends `request` and reads what `mode` asks for: the whole 2xx body (bounded) when buffered, nothing of a
    /// 2xx body when streamed, and the start of any other answer's body for its error message.
    private func execute(_ request: HTTPClientRequest, url: String, step: String, mode: BodyMode) async throws -> Exchange {
        let deadline = NIODeadline.now() + .milliseconds(Int64(max(0.001, settings.timeoutSeconds) * 1000))
        let response = try await client.execute(request, deadline: deadline)
        let status = Int(response.status.code)
        counters.withLock { $0.record(status: status) }
        observer?.answered(job: job, status: status)
        if let observer, let date = response.headers.first(name: "date") {
            observer.serverDate(job: job, host: URLParts(url)?.hostAndPort ?? "", date: date,
                                receivedAt: now().timeIntervalSince1970)
        }
        let headers = response.headers.map { HTTPHeader($0.name, $0.value) }
        let success = (200..<300).contains(status)
        if success, mode == .streamed {
            return Exchange(status: status, headers: headers, url: url, body: [], live: response.body)
        }
        if success, let length = response.headers.first(name: "content-length").flatMap({ Int($0) }), length > maxBodyBytes {
            throw tooLarge(url: url, step: step, status: status)
        }
        var body: [UInt8] = []
        let limit = success ? maxBodyBytes : Self.errorBodyLimit
        for try await chunk in response.body {
            counters.withLock { $0.bytesRead += chunk.readableBytes }
            if body.count + chunk.readableBytes > limit {
                if success { throw tooLarge(url: url, step: step, status: status) }
                // An error body is only read for its start; the rest is not worth the wait.
                body.append(contentsOf: chunk.readableBytesView.prefix(limit - body.count))
                break
            }
            body.append(contentsOf: chunk.readableBytesView)
        }
        return Exchange(status: status, headers: headers, url: url, body: body, live: nil)
    }

    private func tooLarge(url: String, step: String, status: Int) -> SluiceError {
        SluiceError(.badResponse, job: job, step: step,
                    "the response from \(Redactor.safeURL(url)) is larger than \(ByteCount.text(maxBodyBytes)), the limit "
                        + "for one page (a smaller page size, where the job sets one, keeps pages under it)", status: status)
    }

    /// Runs `work`, failing with `HTTPClientError.deadlineExceeded` (a transient error) after `seconds`.
    /// AsyncHTTPClient's deadline covers the head only; this covers reading the body too.
    private func withTimeout(seconds: Double, _ work: @escaping @Sendable () async throws -> Exchange) async throws -> Exchange {
        try await withThrowingTaskGroup(of: Exchange?.self) { group in
            group.addTask { try await work() }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int64(max(0.001, seconds) * 1000)))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let exchange = first else {
                throw HTTPClientError.deadlineExceeded
            }
            return exchange
        }
    }

    private func milliseconds(since start: ContinuousClock.Instant) -> Int64 {
        let elapsed = ContinuousClock.now - start
        return elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
    }
}
