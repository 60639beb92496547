#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// A raw TCP server on 127.0.0.1 that drops its first connections with a TCP reset, which no Hummingbird
/// emulator can do, then answers every later request with a fixed HTTP/1.1 response.
///
/// One thread accepts connections one at a time; `stop()` closes the listening socket, which ends it.
final class ResettingServer: Sendable {
    /// When the dropped connections are cut.
    enum Cut: Sendable, CustomStringConvertible {
        /// Before any byte of the answer.
        case beforeResponse
        /// After the headers and half of the body.
        case midBody

        var description: String { self == .beforeResponse ? "reset before the response" : "reset in the middle of the body" }
    }

    private struct State {
        var connections = 0
    }

    let port: Int
    private let listener: Int32
    private let state = Mutex(State())

    /// Listens on a free loopback port; the first `resets` connections are cut as `cut` says.
    init(resets: Int, cut: Cut, body: [UInt8]) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        listener = fd
        let head = Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n".utf8)
        let thread = Thread { [self] in
            while true {
                let client = accept(fd, nil, nil)
                guard client >= 0 else { return }
                let number = self.state.withLock { s -> Int in
                    s.connections += 1
                    return s.connections
                }
                Self.readRequestHead(client)
                if number <= resets {
                    if cut == .midBody { Self.send(client, head + body.prefix(body.count / 2)) }
                    // SO_LINGER with a zero timeout makes close() send RST instead of FIN.
                    var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
                    setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
                } else {
                    Self.send(client, head + body)
                }
                close(client)
            }
        }
        thread.start()
    }

    /// Connections accepted so far.
    var connections: Int { state.withLock { $0.connections } }

    /// Base URL of the feed route (`http://127.0.0.1:port/api/bi/v1`).
    var url: String { "http://127.0.0.1:\(port)/api/bi/v1" }

    /// Stops accepting (the accept loop ends on the closed socket).
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// Reads until the blank line ending the request head (or 64 KiB, or the peer closing).
    private static func readRequestHead(_ fd: Int32) {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while received.count < 65_536 {
            let n = read(fd, &buffer, buffer.count)
            guard n > 0 else { return }
            received += buffer[0..<n]
            if received.count >= 4, received.suffix(4) == Array("\r\n\r\n".utf8) { return }
        }
    }

    private static func send(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { return }
            offset += n
        }
    }
}
