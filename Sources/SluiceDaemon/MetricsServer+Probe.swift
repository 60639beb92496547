#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension MetricsServer.Address {
    /// Why the endpoint could not listen here, checked by binding the address once (and letting it go) before
    /// anything runs, so a taken port is a clear usage error instead of a daemon that stops after start-up.
    /// Nil when the address can be bound (or names port 0, which always finds a free port).
    package func bindProblem() -> String? {
        guard port != 0 else { return nil }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, "\(port)", &hints, &found) == 0, let first = found else {
            return "--metrics \(self): cannot resolve '\(host)'; give an address such as 127.0.0.1:9464"
        }
        defer { freeaddrinfo(first) }
        var problem: Int32 = 0
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { continue }
            // As the server binds: with SO_REUSEADDR, so a port left in TIME_WAIT does not count as taken.
            var yes: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
            let rc = bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen)
            let code = errno
            close(fd)
            if rc == 0 { return nil }
            problem = code
        }
        if problem == EADDRINUSE { return "\(self) is in use (another sluice daemon?); choose another with --metrics" }
        let reason = problem == 0 ? "no usable address" : String(cString: strerror(problem))
        return "cannot listen on \(self) (\(reason)); choose another with --metrics"
    }
}
