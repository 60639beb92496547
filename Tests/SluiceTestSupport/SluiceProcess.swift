package import Foundation

/// The built `sluice` binary, run as a user would, with bounded waiting (shared by the end-to-end and ODBC tests).
package struct SluiceProcess {
    package struct Result: Sendable {
        package var exitCode: Int32
        package var stdout: String
        package var stderr: String
        /// Both streams, for secret greps.
        package var combined: String { stdout + "\n" + stderr }
    }

    /// The binary next to the test bundle (`.build/<triple>/debug/sluice`), or `$SLUICE_BINARY`.
    package static var binaryPath: String {
        if let explicit = ProcessInfo.processInfo.environment["SLUICE_BINARY"], !explicit.isEmpty { return explicit }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // Inside an .xctest bundle directory on some platforms.
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("sluice").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return ".build/debug/sluice"
    }

    /// Runs `sluice args…` in `directory` with `environment` added, killing it after `timeout` seconds.
    package static func run(_ args: [String], in directory: String, environment: [String: String] = [:],
                    timeout: Double = 120) async throws -> Result {
        let process = try start(args, in: directory, environment: environment)
        return try await process.wait(timeout: timeout)
    }

    /// Starts `sluice args…` without waiting (for signal tests). `journalStream`: set `JOURNAL_STREAM` to the
    /// device and inode of the file standard error goes to, as systemd does when stderr is the journal.
    package static func start(_ args: [String], in directory: String, environment: [String: String] = [:],
                             journalStream: Bool = false) throws -> Running {
        let outPath = directory + "/.stdout-\(UUID().uuidString)"
        let errPath = directory + "/.stderr-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binaryPath)
        process.arguments = args
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment
        env["SLUICE_JOBS"] = nil
        env["SLUICE_WAREHOUSE"] = nil
        for (k, v) in environment { env[k] = v }
        if journalStream {
            var info = stat()
            guard stat(errPath, &info) == 0 else { throw CocoaError(.fileNoSuchFile) }
            env["JOURNAL_STREAM"] = "\(info.st_dev):\(info.st_ino)"
        }
        process.environment = env
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return Running(process: process, outPath: outPath, errPath: errPath)
    }

    /// A started process.
    package struct Running {
        package let process: Process
        package let outPath: String
        package let errPath: String

        package var pid: Int32 { process.processIdentifier }

        package func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

        /// Waits for exit (polling, bounded); kills the process when `timeout` passes.
        package func wait(timeout: Double) async throws -> Result {
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning, Date() < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
            let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
            let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
            return Result(exitCode: process.terminationStatus, stdout: out, stderr: err)
        }
    }
}
