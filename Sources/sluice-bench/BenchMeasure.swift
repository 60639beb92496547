import Foundation

/// Wall-clock timing and the process's peak resident memory.
enum BenchMeasure {
    /// Seconds `body` took.
    static func seconds<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
        let start = ContinuousClock.now
        let result = try await body()
        let elapsed = ContinuousClock.now - start
        return (result, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// `VmHWM` from /proc/self/status (peak RSS since the process started), in MiB; nil where there is no /proc.
    static func peakRSSMiB() -> Double? {
        value(of: "VmHWM")
    }

    /// Current RSS (`VmRSS`) in MiB.
    static func currentRSSMiB() -> Double? {
        value(of: "VmRSS")
    }

    private static func value(of key: String) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            let digits = line.split(separator: " ").compactMap { Double($0) }
            return digits.first.map { $0 / 1024 }
        }
        return nil
    }

    /// The middle value (the mean of the two middle values for an even count); 0 for none.
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    static func format(_ value: Double, _ digits: Int = 2) -> String {
        String(format: "%.\(digits)f", value)
    }

    /// `1234567` → `1,234,567`.
    static func grouped(_ value: Int) -> String {
        let text = String(value)
        var out = ""
        for (index, char) in text.enumerated() {
            if index > 0, (text.count - index) % 3 == 0 { out += "," }
            out.append(char)
        }
        return out
    }
}

extension BenchMeasure {
    /// Seconds since `start`.
    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// `n / seconds` grouped, e.g. `101,731 rows/s`.
    static func rate(_ n: Int, _ seconds: Double, _ unit: String = "rows/s") -> String {
        grouped(Int(Double(n) / max(seconds, 1e-9))) + " " + unit
    }

    /// `0.47×`.
    static func ratio(_ value: Double) -> String { format(value) + "×" }
}

extension BenchMeasure {
    /// User + system CPU seconds of this process (every thread, the in-process emulators included), or of
    /// its finished children: on a shared machine CPU time varies far less than wall time.
    static func cpuSeconds(children: Bool = false) -> Double {
        var usage = rusage()
        getrusage(children ? RUSAGE_CHILDREN.rawValue : RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
