/// One request header: a name and a value. Names compare case-insensitively where the fetcher looks them up.
package struct HTTPHeader: Sendable, Hashable {
    package var name: String
    package var value: String

    package init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A request as sources describe it: no client types, so sources stay independent of AsyncHTTPClient.
package struct HTTPRequest: Sendable {
    /// `GET`, `POST`, …
    package var method: String
    /// The absolute URL, query string included (it is never logged: see ``Redactor/safeURL(_:)``).
    package var url: String
    package var headers: [HTTPHeader]
    package var body: [UInt8]?
    /// What the request is for, named in errors: "page 3", "token", "list downloads".
    package var step: String
    /// False for requests whose body is a credential (token requests): a redirect is then an error, never
    /// followed, since following it would hand the secret to whoever the redirect names.
    package var followsRedirects: Bool

    package init(method: String = "GET", url: String, headers: [HTTPHeader] = [], body: [UInt8]? = nil, step: String,
                followsRedirects: Bool = true) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.step = step
        self.followsRedirects = followsRedirects
    }

    /// A `GET` of `url`.
    package static func get(_ url: String, headers: [HTTPHeader] = [], step: String) -> HTTPRequest {
        HTTPRequest(method: "GET", url: url, headers: headers, step: step)
    }

    /// A `POST` of `body` to `url`.
    package static func post(_ url: String, headers: [HTTPHeader] = [], body: [UInt8]?, step: String) -> HTTPRequest {
        HTTPRequest(method: "POST", url: url, headers: headers, body: body, step: step)
    }
}

/// The status, headers and URL of a response whose body is still to come (see ``HTTPFetcher/stream``).
package struct HTTPHead: Sendable {
    package var status: Int
    package var headers: [HTTPHeader]
    /// The URL that answered, after redirects (may carry a signed query string: do not log it raw).
    package var url: String

    package init(status: Int, headers: [HTTPHeader], url: String) {
        self.status = status
        self.headers = headers
        self.url = url
    }

    /// The first value of header `name`, compared case-insensitively.
    package func header(_ name: String) -> String? {
        headers.firstValue(named: name)
    }
}

/// A complete, buffered response.
package struct HTTPResponse: Sendable {
    package var status: Int
    package var headers: [HTTPHeader]
    package var body: [UInt8]
    /// The URL that answered, after redirects.
    package var url: String

    package init(status: Int, headers: [HTTPHeader] = [], body: [UInt8], url: String = "") {
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url
    }

    /// The first value of header `name`, compared case-insensitively.
    package func header(_ name: String) -> String? {
        headers.firstValue(named: name)
    }

    /// The body decoded as UTF-8 (invalid sequences repaired).
    package var text: String {
        String(decoding: body, as: UTF8.self)
    }
}

extension [HTTPHeader] {
    /// The first value of header `name`, compared case-insensitively.
    package func firstValue(named name: String) -> String? {
        let wanted = name.lowercased()
        return first { $0.name.lowercased() == wanted }?.value
    }
}
