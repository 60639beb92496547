import ArgumentParser
import Foundation

/// `sluice`: pulls SaaS reporting APIs into a local SQLite warehouse.
@main
struct Sluice: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice",
        abstract: "Pull SaaS reporting APIs into a local SQLite warehouse that BI tools read.",
        discussion: """
        Exit codes: 0 every job succeeded; 1 a job failed, a job file with problems was skipped, or (status) a job \
        needs attention; 2 bad usage, a folder or named job that cannot be used, or an unusable --warehouse; \
        130 stopped by Ctrl-C (143 by SIGTERM) during run, backfill or demo; doctor: 0 when every check \
        is ✔, 1 otherwise.
        Environment: SLUICE_JOBS and SLUICE_WAREHOUSE override the defaults of --jobs and --warehouse.
        First steps: `sluice demo` (runs once), `sluice demo --serve` (keeps a demo daemon running).
        """,
        version: Version.text,
        subcommands: [DaemonCommand.self, RunCommand.self, BackfillCommand.self, StatusCommand.self, ValidateCommand.self,
                      DoctorCommand.self, DemoCommand.self]
    )

    /// Parses and runs, mapping usage errors to exit code 2 instead of ArgumentParser's 64.
    static func main() async {
        let commands = configuration.subcommands.compactMap { $0.configuration.commandName }
        if let problem = CommandLineCheck.problem(arguments: CommandLine.arguments, commands: commands) {
            StandardErrorText.write(problem + "\n")
            Foundation.exit(2)
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                let message = fullMessage(for: error)
                if !message.isEmpty { StandardErrorText.write(message + "\n") }
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// Standard output written at once (unbuffered), for lines a watching process waits for.
enum StandardOutputText {
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

enum StandardErrorText {
    static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// Exit codes, as the README's command-line section lists them.
enum SluiceExit {
    static let failedJob = ExitCode(1)
    static let invalid = ExitCode(2)
}
