import ArgumentParser
import SluiceCore

/// `sluice validate`: check every job file, with file and line in each error.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check every job file; errors carry file and line.")

    @OptionGroup var jobsOption: JobsOption

    func run() throws {
        let result = JobFileDecoder.loadDirectory(jobsOption.path)
        let secrets = SecretResolver()
        for job in result.jobs {
            let warnings = secrets.fileWarnings(for: job)
            for warning in warnings { StandardErrorText.write("warning: \(warning)\n") }
            print("ok   \(job.name) (\(job.source.typeName), \(job.schedule)) \(job.file)")
        }
        for error in result.errors { StandardErrorText.write("\(error)\n") }
        if !result.errors.isEmpty {
            StandardErrorText.write("\(CountText.format(result.errors.count, "problem")) in job files under \(jobsOption.path)\n")
            throw SluiceExit.invalid
        }
        print("\(CountText.format(result.jobs.count, "job")) valid")
    }
}
