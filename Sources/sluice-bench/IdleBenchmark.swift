import Foundation

/// `sluice daemon` (the release binary next to this one) with five hourly jobs: resident memory and CPU time
/// over a quiet window, read from /proc/<pid>.
struct IdleBenchmark {
    let options: BenchOptions

    func run() async throws {
        let cleanup = try options.makeDirectory()
        defer { cleanup() }
        let window = options.seconds ?? 60
        let jobs = try JobFiles.write(count: options.jobs ?? 5, into: options.directory)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try BenchRun.sluiceExecutable(options.sluice))
        process.arguments = ["daemon", "--jobs", jobs, "--warehouse", options.directory + "/idle.db"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
        }
        let pid = process.processIdentifier
        // Start-up (migrations, job files, scheduler) is not idling: the window starts after it.
        try await Task.sleep(for: .seconds(3))
        guard process.isRunning, let before = Self.cpuTicks(pid) else {
            throw BenchOptions.UsageError(description: "sluice daemon exited during start-up (status \(process.terminationStatus))")
        }
        try await Task.sleep(for: .seconds(window))
        guard process.isRunning, let after = Self.cpuTicks(pid) else {
            throw BenchOptions.UsageError(description: "sluice daemon exited during the window")
        }
        let rss = Self.statusMiB(pid, "VmRSS") ?? 0
        let hwm = Self.statusMiB(pid, "VmHWM") ?? 0
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        let cpu = Double(after - before) / ticksPerSecond
        let binary = try BenchRun.sluiceExecutable(options.sluice)
        await BenchTable.shared.report("Idle daemon: five hourly jobs, \(window) s window, \(binary)", [
            BenchLine(name: "resident memory at the end (VmRSS)", figure: BenchMeasure.format(rss, 1) + " MiB",
                      anchor: "30 MB = 28.6 MiB", ratio: BenchMeasure.ratio(rss / 28.6), target: "< 1×"),
            BenchLine(name: "peak resident memory (VmHWM)", figure: BenchMeasure.format(hwm, 1) + " MiB",
                      anchor: "30 MB = 28.6 MiB", ratio: BenchMeasure.ratio(hwm / 28.6), target: "< 1×"),
            BenchLine(name: "CPU time in the window (utime+stime)", figure: BenchMeasure.format(cpu) + " s",
                      anchor: "\(window) s wall", ratio: BenchMeasure.format(100 * cpu / Double(window), 3) + " %",
                      target: "≈ 0"),
        ])
    }

    /// utime + stime in clock ticks (fields 14 and 15 of /proc/<pid>/stat, after the parenthesised name).
    static func cpuTicks(_ pid: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is the state (field 3), so utime (field 14) is fields[11].
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        return user + system
    }

    static func statusMiB(_ pid: Int32, _ key: String) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            return line.split(separator: " ").compactMap { Double($0) }.first.map { $0 / 1024 }
        }
        return nil
    }
}
