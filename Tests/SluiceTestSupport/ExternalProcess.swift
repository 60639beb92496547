import Foundation
import Glibc

/// Another program a test drives (a browser, `isql`, `script`), run with files for its standard streams and a
/// bounded wait: killed when `timeout` passes.
package enum ExternalProcess {
    package struct Result: Sendable {
        package var exitCode: Int32
        package var stdout: String
        package var stderr: String
        /// True when the program had to be killed at the deadline.
        package var timedOut: Bool
    }

    /// Runs `executable` with `arguments` in `directory` (temporary stream files are made there and removed);
    /// `input` goes to its standard input, `environment` is added to the test's own; `mergeOutput` sends
    /// standard error into standard output (as a terminal shows them).
    package static func run(_ executable: String, _ arguments: [String], in directory: String,
                           environment: [String: String] = [:], input: String? = nil, mergeOutput: Bool = false,
                           timeout: Double) async throws -> Result {
        let id = UUID().uuidString
        let outPath = directory + "/.ext-out-\(id)"
        let errPath = directory + "/.ext-err-\(id)"
        let inPath = directory + "/.ext-in-\(id)"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer {
            for path in [outPath, errPath, inPath] { try? FileManager.default.removeItem(atPath: path) }
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        if let input {
            try input.write(toFile: inPath, atomically: true, encoding: .utf8)
            process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardOutput = out
        process.standardError = mergeOutput ? out : try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let timedOut = process.isRunning
        if timedOut {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        return Result(exitCode: process.terminationStatus,
                      stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "", timedOut: timedOut)
    }
}
