import ArgumentParser
import SluiceCore
import SluiceDaemon

/// `sluice run [JOB…]`: run jobs now, in the foreground, with progress.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run jobs now, in the foreground (all jobs when none is named).",
        discussion: """
        A job file with problems does not stop the others: without job names, every valid job runs, each broken \
        file is reported (file, line, cause) and sluice exits 1 at the end; a named job runs when its own file is \
        valid (the broken files are reported as warnings).
        Ctrl-C (SIGINT) or SIGTERM stops the runs after the page being written commits; they are recorded \
        'cancelled' with the rows written so far, and sluice exits 130 (SIGINT) or 143 (SIGTERM). A second Ctrl-C \
        stops at once.
        Exit codes: 0 every job succeeded or was unchanged, 1 a job failed or a job file was skipped, 2 bad usage, \
        an unusable --warehouse, or a named job that cannot run.
        """)

    @Argument(help: "Job names (file stems or name:); all jobs when omitted.")
    var jobNames: [String] = []

    @OptionGroup var jobsOption: JobsOption
    @OptionGroup var warehouseOption: WarehouseOption
    @OptionGroup var logOptions: LogOptions

    func run() async throws {
        let signals = await SignalCancellation()
        let logger = CommandSupport.bootstrapLogging(logOptions)
        let selection = try CommandSupport.loadJobs(
            directory: jobsOption.path, selecting: jobNames,
            consequence: jobNames.isEmpty ? "the other jobs run, and sluice exits 1 at the end" : "not needed for this run")
        let progress = TerminalProgress()
        let outcome = try await CommandSupport.runInForeground(selection.jobs, trigger: .manual, warehouse: warehouseOption,
                                                               logger: logger, signals: signals, progress: progress)
        throw CommandSupport.finish(outcome, progress: progress, skippedFiles: jobNames.isEmpty && selection.hasSkippedFiles)
    }
}
