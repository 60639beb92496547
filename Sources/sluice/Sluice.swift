import ArgumentParser
import Foundation

/// `sluice`: pulls SaaS reporting APIs into a local SQLite warehouse.
@main
struct Sluice: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice",
        abstract: "Pull SaaS reporting APIs into a local SQLite warehouse that BI tools read.",
        discussion: """
        Exit codes: 0 every job succeeded, 1 a job failed, 2 bad usage or invalid job files
        (doctor: 0 when every check is ✔, 1 otherwise, invalid job files included).
        Environment: SLUICE_JOBS and SLUICE_WAREHOUSE override the defaults of --jobs and --warehouse.
        """,
        version: Version.text,
        subcommands: [DaemonCommand.self, RunCommand.self, BackfillCommand.self, StatusCommand.self, ValidateCommand.self,
                      DoctorCommand.self, DemoCommand.self]
    )

    /// Parses and runs, mapping usage errors to exit code 2 (design.md §5) instead of ArgumentParser's 64.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
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

enum StandardErrorText {
    static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// Exit codes of design.md §5.
enum SluiceExit {
    static let failedJob = ExitCode(1)
    static let invalid = ExitCode(2)
}
