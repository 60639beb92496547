package import SluiceCore
import Foundation

/// Where the PostgreSQL warehouse is: `postgresql://USER@HOST:PORT/DB?sslmode=verify-full`, parsed and checked.
///
/// The URL never carries the password (a URL with one is refused, so no log line, error or process list can show
/// it); the password comes from a secret reference (see ``PostgresPassword``). Query parameters:
///
/// | parameter | meaning |
/// |---|---|
/// | `sslmode` | `disable`, `require` (encrypted, not verified), `verify-ca` (the CA), `verify-full` (CA and host name) |
/// | `sslrootcert` | a PEM file of trusted CAs instead of the system trust store |
/// | `host` | a Unix socket folder (`?host=/var/run/postgresql`) instead of TCP |
/// | `application_name` | shown in `pg_stat_activity` (default `sluice`) |
/// | `connect_timeout` | seconds to wait for a connection (default 10) |
///
/// Defaults: port 5432, the database named like the user, `sslmode=verify-full` (with the system trust store) for
/// every host but loopback and Unix sockets, which default to `disable`. `disable` to any other host is refused:
/// credentials and rows would cross the network in clear text (the same rule as `http://` for the sources).
package struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    /// How TLS is used, as libpq's `sslmode` names it.
    package enum SSLMode: String, Sendable, CaseIterable {
        case disable
        case require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    package var user: String
    /// The TCP host (a name or an IP address, without brackets); empty for a Unix socket.
    package var host: String
    package var port: Int
    /// The folder holding the server's Unix socket (`?host=/path`), or nil for TCP.
    package var socketFolder: String?
    package var database: String
    package var sslMode: SSLMode
    /// A PEM file of CA certificates to trust instead of the system store.
    package var sslRootCert: String?
    package var applicationName: String
    package var connectTimeoutSeconds: Int

    /// Whether `text` names a PostgreSQL warehouse (`postgresql://…` or `postgres://…`) rather than a SQLite file.
    package static func isPostgresURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.hasPrefix("postgresql://") || lower.hasPrefix("postgres://")
    }

    /// Parses and checks `url`; errors are of kind `.config` and never repeat user info or the query.
    package init(parsing url: String) throws(SluiceError) {
        guard Self.isPostgresURL(url), let schemeEnd = url.range(of: "://") else {
            throw Self.invalid("a PostgreSQL warehouse is written postgresql://USER@HOST:PORT/DATABASE")
        }
        guard !url.contains(where: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "#" }) else {
            throw Self.invalid("the warehouse URL must not contain spaces or '#'")
        }
        let rest = url[schemeEnd.upperBound...]
        let queryStart = rest.firstIndex(of: "?")
        let beforeQuery = rest[..<(queryStart ?? rest.endIndex)]
        let pathStart = beforeQuery.firstIndex(of: "/")
        let authority = beforeQuery[..<(pathStart ?? beforeQuery.endIndex)]
        guard let at = authority.lastIndex(of: "@") else {
            throw Self.invalid("the warehouse URL needs a user: postgresql://USER@HOST:PORT/DATABASE")
        }
        let userInfo = authority[..<at]
        guard !userInfo.contains(":") else {
            throw Self.invalid("the warehouse URL must not contain a password; set SLUICE_WAREHOUSE_PASSWORD, "
                + "SLUICE_WAREHOUSE_PASSWORD_FILE or the credential '\(PostgresPassword.credentialName)' instead")
        }
        guard let user = URLDecoding.decode(String(userInfo)), !user.isEmpty else {
            throw Self.invalid("the warehouse URL needs a user: postgresql://USER@HOST:PORT/DATABASE")
        }
        self.user = user
        (host, port) = try Self.hostAndPort(authority[authority.index(after: at)...])

        var database = user
        if let pathStart {
            let path = String(beforeQuery[beforeQuery.index(after: pathStart)...])
            guard let decoded = URLDecoding.decode(path), !decoded.contains("/") else {
                throw Self.invalid("the database name in the warehouse URL is not valid")
            }
            if !decoded.isEmpty { database = decoded }
        }
        self.database = database

        var parameters: [String: String] = [:]
        if let queryStart {
            for pair in rest[rest.index(after: queryStart)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard let name = URLDecoding.decode(String(parts[0])),
                      let value = URLDecoding.decode(parts.count > 1 ? String(parts[1]) : "") else {
                    throw Self.invalid("the warehouse URL has a query parameter that is not valid percent-encoding")
                }
                guard Self.knownParameters.contains(name) else {
                    let shown = name.count <= 40 && name.allSatisfy { $0.isLetter || $0 == "_" } ? "'\(name)'" : "a parameter"
                    throw Self.invalid("the warehouse URL has \(shown) that Sluice does not know; it takes "
                        + Self.knownParameters.sorted().joined(separator: ", "))
                }
                parameters[name] = value
            }
        }
        if let folder = parameters["host"] {
            guard folder.hasPrefix("/") else { throw Self.invalid("host= must be the absolute path of a socket folder") }
            socketFolder = folder
        }
        guard !host.isEmpty || socketFolder != nil else {
            throw Self.invalid("the warehouse URL needs a host: postgresql://USER@HOST:PORT/DATABASE")
        }
        sslRootCert = parameters["sslrootcert"].flatMap { $0.isEmpty ? nil : $0 }
        applicationName = parameters["application_name"].flatMap { $0.isEmpty ? nil : $0 } ?? "sluice"
        if let timeout = parameters["connect_timeout"] {
            guard let seconds = Int(timeout), (1...600).contains(seconds) else {
                throw Self.invalid("connect_timeout must be a number of seconds from 1 to 600")
            }
            connectTimeoutSeconds = seconds
        } else {
            connectTimeoutSeconds = 10
        }
        let local = socketFolder != nil || URLPolicy.isLoopback(host: host)
        if let mode = parameters["sslmode"] {
            guard let parsed = SSLMode(rawValue: mode) else {
                throw Self.invalid("sslmode must be one of " + SSLMode.allCases.map(\.rawValue).joined(separator: ", "))
            }
            sslMode = parsed
        } else {
            sslMode = local ? .disable : .verifyFull
        }
        if sslMode == .disable, !local {
            throw Self.invalid("sslmode=disable is only allowed to a loopback host or a Unix socket; "
                + "use sslmode=verify-full (or require) for \(host)")
        }
    }

    /// The URL as it may be shown anywhere (there is no password in it to hide).
    package var description: String {
        var text = "postgresql://\(user)@"
        if socketFolder == nil {
            text += host.contains(":") ? "[\(host)]" : host
            text += ":\(port)"
        }
        text += "/\(database)?sslmode=\(sslMode.rawValue)"
        if let socketFolder { text += "&host=\(socketFolder)" }
        return text
    }

    static let knownParameters: Set<String> = ["sslmode", "sslrootcert", "host", "application_name", "connect_timeout"]

    private static func hostAndPort(_ text: Substring) throws(SluiceError) -> (String, Int) {
        var host = text
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw invalid("the IPv6 host in the warehouse URL lacks ']'") }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty {
                throw invalid("the warehouse URL has no valid host[:port]")
            }
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        var port = 5432
        if let portText {
            guard portText.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(portText), (1...65_535).contains(value) else {
                throw invalid("the port in the warehouse URL is not valid")
            }
            port = value
        }
        guard let decoded = URLDecoding.decode(String(host)),
              decoded.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == ":" || $0 == "_") }) else {
            throw invalid("the host in the warehouse URL is not valid")
        }
        return (decoded, port)
    }

    private static func invalid(_ message: String) -> SluiceError {
        SluiceError(.config, step: "warehouse URL", message)
    }
}

/// Percent-decoding of the parts of a warehouse URL (user, host, database, query parameters).
enum URLDecoding {
    /// `text` with every `%XX` replaced by its byte; nil when an escape is malformed or the result is not UTF-8.
    static func decode(_ text: String) -> String? {
        guard text.contains("%") else { return text }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        guard !bytes.contains(0) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
