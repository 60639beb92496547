#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation

/// One `sd_notify(3)` assignment.
package enum NotifyMessage: Sendable, Equatable {
    /// Start-up finished: the warehouse is open and the jobs are valid.
    case ready
    /// Shutdown began.
    case stopping
    /// The main loop is alive (sent at half the watchdog interval).
    case watchdog
    /// Free text for `systemctl status`; kept to one line.
    case status(String)

    /// The `KEY=value` line.
    package var line: String {
        switch self {
        case .ready: "READY=1"
        case .stopping: "STOPPING=1"
        case .watchdog: "WATCHDOG=1"
        case .status(let text):
            "STATUS=" + String(text.map { $0.isNewline ? " " : $0 })
        }
    }
}

/// Talks to systemd's notification socket without libsystemd: one datagram to `$NOTIFY_SOCKET` per message.
///
/// Outside systemd (`NOTIFY_SOCKET` unset) every send is a no-op. An abstract socket name (`@name`) is
/// supported. Sending never throws: a lost notification must not stop the daemon (systemd itself treats the
/// protocol as best effort).
package struct SystemdNotifier: Sendable {
    /// The socket address, as given in `NOTIFY_SOCKET`; nil when not started by systemd.
    package let socketPath: String?
    /// How often to send `WATCHDOG=1` (half of `WATCHDOG_USEC`); nil when the watchdog is off or meant for
    /// another process.
    package let watchdogInterval: Duration?

    /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` from `environment`.
    package init(environment: [String: String] = ProcessInfo.processInfo.environment, pid: Int32 = getpid()) {
        let path = environment["NOTIFY_SOCKET"] ?? ""
        socketPath = path.isEmpty ? nil : path
        watchdogInterval = Self.watchdogInterval(environment: environment, pid: pid)
    }

    /// Half of `WATCHDOG_USEC`, when it is set and `WATCHDOG_PID` is unset or names `pid`.
    package static func watchdogInterval(environment: [String: String], pid: Int32) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let usec = UInt64(text), usec > 0 else { return nil }
        if let owner = environment["WATCHDOG_PID"], !owner.isEmpty, owner != String(pid) { return nil }
        return .microseconds(Int64(clamping: usec / 2))
    }

    /// The datagram for `messages`: one assignment per line.
    package static func datagram(_ messages: [NotifyMessage]) -> String {
        messages.map(\.line).joined(separator: "\n")
    }

    /// Sends `messages` in one datagram; false when there is no socket or sending failed.
    @discardableResult
    package func send(_ messages: NotifyMessage...) -> Bool {
        send(messages)
    }

    /// Sends `messages` in one datagram; false when there is no socket or sending failed.
    @discardableResult
    package func send(_ messages: [NotifyMessage]) -> Bool {
        guard let socketPath, !messages.isEmpty else { return false }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var pathBytes = Array(socketPath.utf8)
        let abstract = pathBytes.first == UInt8(ascii: "@")
        if abstract { pathBytes[0] = 0 }
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in raw.copyBytes(from: pathBytes) }
        // An abstract name is exactly its bytes; a path includes its terminating NUL.
        let length = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count + (abstract ? 0 : 1))
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let payload = Array(Self.datagram(messages).utf8)
        let sent = payload.withUnsafeBytes { bytes in
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                    sendto(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), socketAddress, length)
                }
            }
        }
        return sent == payload.count
    }
}
