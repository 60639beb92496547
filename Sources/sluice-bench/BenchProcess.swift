import Foundation

/// A helper program a benchmark runs for its anchor (`sqlite3`, `psql`): its standard output, trimmed.
enum BenchProcess {
    /// Runs `executable` with `arguments` (and `environment`, the whole of it, when given); a non-zero exit
    /// throws with `what` and the exit code (never the arguments, which may name a server or a file).
    static func output(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                       what: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchOptions.UsageError(description: "\(what) failed (exit \(process.terminationStatus))")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
