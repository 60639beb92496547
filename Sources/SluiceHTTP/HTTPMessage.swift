/// One request header: a name and a value. Names compare case-insensitively where the fetcher looks them up.
public struct HTTPHeader: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A request as sources describe it: no client types, so sources stay independent of AsyncHTTPClient.
public struct HTTPRequest: Sendable {
    /// `GET`, `POST`, …
    public var method: String
    /// The absolute URL, query string included (it is never logged: see ``Redactor/safeURL(_:)``).
    public var url: String
    public var headers: [HTTPHeader]
    public var body: [UInt8]?
    /// What the request is for, named in errors: "page 3", "token", "list downloads".
    public var step: String
    /// False for requests whose body is a credential (token requests): a redirect is then an error, never
    /// followed, since following it would hand the secret to whoever the redirect names.
    public var followsRedirects: Bool

    public init(method: String = "GET", url: String, headers: [HTTPHeader] = [], body: [UInt8]? = nil, step: String,
                followsRedirects: Bool = true) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.step = step
        self.followsRedirects = followsRedirects
    }

    /// A `GET` of `url`.
    public static func get(_ url: String, headers: [HTTPHeader] = [], step: String) -> HTTPRequest {
        HTTPRequest(method: "GET", url: url, headers: headers, step: step)
    }

    /// A `POST` of `body` to `url`.
    public static func post(_ url: String, headers: [HTTPHeader] = [], body: [UInt8]?, step: String) -> HTTPRequest {
        HTTPRequest(method: "POST", url: url, headers: headers, body: body, step: step)
    }
}

/// The status, headers and URL of a response whose body is still to come (see ``HTTPFetcher/stream``).
public struct HTTPHead: Sendable {
    public var status: Int
    public var headers: [HTTPHeader]
    /// The URL that answered, after redirects (may carry a signed query string: do not log it raw).
    public var url: String

    public init(status: Int, headers: [HTTPHeader], url: String) {
        self.status = status
        self.headers = headers
        self.url = url
    }

    /// The first value of header `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.firstValue(named: name)
    }
}

/// A complete, buffered response.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [HTTPHeader]
    public var body: [UInt8]
    /// The URL that answered, after redirects.
    public var url: String

    public init(status: Int, headers: [HTTPHeader] = [], body: [UInt8], url: String = "") {
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url
    }

    /// The first value of header `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.firstValue(named: name)
    }

    /// The body decoded as UTF-8 (invalid sequences repaired).
    public var text: String {
        String(decoding: body, as: UTF8.self)
    }
}

extension [HTTPHeader] {
    /// The first value of header `name`, compared case-insensitively.
    public func firstValue(named name: String) -> String? {
        let wanted = name.lowercased()
        return first { $0.name.lowercased() == wanted }?.value
    }
}
