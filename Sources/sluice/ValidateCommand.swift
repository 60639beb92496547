import ArgumentParser
import Foundation
import SluiceCore
import SluiceWarehouse

/// `sluice validate`: check every job file, with file and line in each error.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check every job file; errors carry file and line.",
        discussion: """
        When the warehouse exists, a job whose pseudonym_key or pseudonymise list differs from what one of its \
        tables already holds is refused too (a new target.table starts over).
        """)

    @OptionGroup var jobsOption: JobsOption
    @OptionGroup var warehouseOption: WarehouseOption

    func run() async throws {
        let result = JobFileDecoder.loadDirectory(jobsOption.path)
        let secrets = SecretResolver()
        var errors = result.errors
        // No warehouse yet (or none here): nothing can clash with it.
        if !result.jobs.isEmpty, FileManager.default.fileExists(atPath: warehouseOption.path),
           let warehouse = try warehouseOption.openForReadingIfPresent() {
            let findings = await PseudonymCheck.check(result.jobs, warehouse: warehouse, secrets: secrets)
            await warehouse.close()
            for note in findings.notes { StandardErrorText.write("note: \(Redactor.shared.redact(note))\n") }
            errors = JobFileErrors(errors + findings.problems).errors
        }
        let refused = Set(errors.map(\.file))
        for job in result.jobs where !refused.contains(job.file) {
            let warnings = secrets.fileWarnings(for: job)
            for warning in warnings { StandardErrorText.write("warning: \(warning)\n") }
            print("ok   \(job.name) (\(job.source.typeName), \(job.schedule)) \(job.file)")
        }
        for error in errors { StandardErrorText.write("\(error)\n") }
        if !errors.isEmpty {
            StandardErrorText.write("\(CountText.format(errors.count, "problem")) in job files under \(jobsOption.path)\n")
            throw SluiceExit.invalid
        }
        print("\(CountText.format(result.jobs.count, "job")) valid")
    }
}
