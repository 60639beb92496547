import ArgumentParser
import SluiceCore
import SluiceDaemon

/// `sluice run [JOB…]`: run jobs now, in the foreground, with progress.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run jobs now, in the foreground (all jobs when none is named).")

    @Argument(help: "Job names (file stems or name:); all jobs when omitted.")
    var jobNames: [String] = []

    @OptionGroup var jobsOption: JobsOption
    @OptionGroup var warehouseOption: WarehouseOption
    @OptionGroup var logOptions: LogOptions

    func run() async throws {
        let logger = CommandSupport.bootstrapLogging(logOptions)
        let jobs = try CommandSupport.loadJobs(directory: jobsOption.path, selecting: jobNames)
        let progress = TerminalProgress()
        let reports = try await ForegroundRun.execute(jobs, trigger: .manual, opening: warehouseOption.open,
                                                      lockPath: warehouseOption.path, secrets: SecretResolver(), logger: logger,
                                                      onProgress: { progress.show($0) })
        throw CommandSupport.finish(reports, progress: progress)
    }
}
