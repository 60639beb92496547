import Foundation
import Glibc
import Testing
@testable import SluiceDaemon

/// The sd_notify protocol: message text, watchdog rules, and real datagrams on a Unix socket.
@Suite("systemd notifier")
struct SystemdNotifierTests {
    @Test func messagesAreKeyValueLinesAndStatusIsKeptOnOneLine() {
        let text = SystemdNotifier.datagram([.ready, .status("idle;\nnext feed 12:00Z"), .watchdog, .stopping])
        #expect(text == "READY=1\nSTATUS=idle; next feed 12:00Z\nWATCHDOG=1\nSTOPPING=1")
    }

    @Test func theWatchdogPingsAtHalfTheIntervalOnlyForTheProcessItNames() {
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "20000000"], pid: 42) == .seconds(10))
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "20000000", "WATCHDOG_PID": "42"], pid: 42)
                == .seconds(10))
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "20000000", "WATCHDOG_PID": "7"], pid: 42) == nil)
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "0"], pid: 42) == nil)
        #expect(SystemdNotifier.watchdogInterval(environment: [:], pid: 42) == nil)
    }

    @Test func withoutNotifySocketSendingDoesNothing() {
        #expect(SystemdNotifier(environment: [:]).send(.ready) == false)
    }

    @Test func aDatagramArrivesOnAPathSocket() throws {
        let path = NSTemporaryDirectory() + "sluice-notify-\(UUID().uuidString.prefix(8)).sock"
        defer { unlink(path) }
        let socket = try DatagramSocket(bindingTo: path)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": path])
        #expect(notifier.send(.ready, .status("idle")))
        #expect(socket.receive() == "READY=1\nSTATUS=idle")
    }

    @Test func aDatagramArrivesOnAnAbstractSocket() throws {
        let name = "@sluice-test-\(UUID().uuidString.prefix(8))"
        let socket = try DatagramSocket(bindingTo: name)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": name]).send(.watchdog))
        #expect(socket.receive() == "WATCHDOG=1")
    }
}

/// A bound Unix datagram socket that receives with a 5 s timeout.
final class DatagramSocket {
    let fd: Int32

    struct Failed: Error { let what: String }

    init(bindingTo name: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failed(what: "socket") }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(name.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard rc == 0 else {
            close(fd)
            throw Failed(what: "bind \(name): errno \(errno)")
        }
    }

    deinit { close(fd) }

    /// The next datagram as text; nil after the timeout.
    func receive() -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return nil }
        return String(decoding: buffer[..<n], as: UTF8.self)
    }
}
