import ArgumentParser
import Logging
import SluiceCore
import SluiceDaemon

/// Wiring shared by the commands: logging, loading job files, printing summaries.
enum CommandSupport {
    /// Installs the redacting log handler once per process.
    static func bootstrapLogging(_ options: LogOptions) -> Logger {
        let format = LogFormat(rawValue: options.logFormat) ?? .text
        let level: Logger.Level = options.verbose ? .debug : .info
        LoggingSystem.bootstrap { label in RedactingLogHandler(label: label, level: level, format: format) }
        return Logger(label: "sluice")
    }

    /// Loads every job file of `directory`; prints every problem and exits 2 when any file is invalid or a
    /// requested job does not exist.
    static func loadJobs(directory: String, selecting names: [String]) throws -> [JobDefinition] {
        let result = JobFileDecoder.loadDirectory(directory)
        if !result.errors.isEmpty {
            for error in result.errors { StandardErrorText.write("\(error)\n") }
            StandardErrorText.write("\(result.errors.count) problem(s) in job files under \(directory); nothing was run\n")
            throw SluiceExit.invalid
        }
        guard !names.isEmpty else { return result.jobs }
        var selected: [JobDefinition] = []
        for name in names {
            guard let job = result.jobs.first(where: { $0.name == name }) else {
                let known = result.jobs.map(\.name).joined(separator: ", ")
                StandardErrorText.write("no job named '\(name)' in \(directory) (jobs: \(known.isEmpty ? "none" : known))\n")
                throw SluiceExit.invalid
            }
            selected.append(job)
        }
        return selected
    }

    /// Prints one summary line per job to standard output and returns the exit code (0 or 1).
    static func finish(_ reports: [RunReport], progress: TerminalProgress) -> ExitCode {
        progress.finish()
        for report in reports { print(report.summaryLine) }
        let failed = reports.contains { $0.status == .failed || $0.status == .cancelled }
        return failed ? SluiceExit.failedJob : .success
    }
}
