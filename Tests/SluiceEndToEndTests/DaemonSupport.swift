import Foundation
import Glibc
import SluiceTestSupport

/// Helpers for the daemon's end-to-end tests: a running daemon, bounded polling, raw HTTP and sd_notify.
struct DaemonUnderTest {
    let running: SluiceProcess.Running
    let fixture: FeedFixture

    /// Starts `sluice daemon` on the fixture's folder.
    static func start(_ f: FeedFixture, _ extra: [String] = [], environment: [String: String] = [:]) throws -> DaemonUnderTest {
        var env = f.environment
        for (k, v) in environment { env[k] = v }
        let args = ["daemon", "--jobs", f.dir.jobs, "--warehouse", f.dir.warehouse] + extra
        return DaemonUnderTest(running: try SluiceProcess.start(args, in: f.dir.path, environment: env), fixture: f)
    }

    /// Standard error so far.
    var log: String { (try? String(contentsOfFile: running.errPath, encoding: .utf8)) ?? "" }

    /// Sends SIGTERM and waits (at most 30 s) for the exit.
    func terminate() async throws -> SluiceProcess.Result {
        running.signal(SIGTERM)
        return try await running.wait(timeout: 30)
    }

    /// The statuses of `job`'s runs, oldest first (empty while the warehouse does not exist yet).
    func statuses(_ job: String) -> [String] {
        guard FileManager.default.fileExists(atPath: fixture.dir.warehouse),
              let db = try? fixture.reader() else { return [] }
        return db.rows("SELECT status FROM sluice_runs WHERE job = ? ORDER BY run_id", [job]).map { $0[0] ?? "" }
    }

    /// The port from the `metrics endpoint listening` log line.
    var metricsPort: Int? {
        guard let range = log.range(of: "metrics.port=") else { return nil }
        return Int(log[range.upperBound...].prefix { $0.isNumber })
    }
}

/// Polls `condition` every 50 ms until it holds or `seconds` pass; returns whether it held.
func eventually(within seconds: Double, _ condition: () -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return condition()
}

/// `GET path` over a plain TCP socket to 127.0.0.1:`port` (HTTP/1.0, so the server closes after the answer).
/// Returns the whole response, head and body; nil when nothing answered within 5 s.
func rawHTTPGet(port: Int, path: String) -> String? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var timeout = timeval(tv_sec: 5, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { return nil }
    let request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
    guard send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else { return nil }
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 16_384)
    while response.count < 1_000_000 {
        let n = recv(fd, &buffer, buffer.count, 0)
        if n <= 0 { break }
        response += buffer[..<n]
    }
    return response.isEmpty ? nil : String(decoding: response, as: UTF8.self)
}

/// A bound Unix datagram socket standing in for systemd's notification socket.
final class NotifySocket {
    let path: String
    private let fd: Int32

    struct Failed: Error {}

    init() throws {
        path = NSTemporaryDirectory() + "sluice-notify-\(UUID().uuidString.prefix(8)).sock"
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failed() }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1))
            }
        }
        guard rc == 0 else {
            close(fd)
            throw Failed()
        }
    }

    deinit {
        close(fd)
        unlink(path)
    }

    /// Every assignment received until `done` holds for them or `seconds` pass (each receive waits 1 s at most).
    func collect(for seconds: Double, until done: ([String]) -> Bool) -> [String] {
        var lines: [String] = []
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline, !done(lines) {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 { lines += String(decoding: buffer[..<n], as: UTF8.self).split(separator: "\n").map(String.init) }
        }
        return lines
    }
}
