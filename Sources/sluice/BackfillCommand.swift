import ArgumentParser
import Foundation
import SluiceCore
import SluiceDaemon
import SluiceSources

/// `sluice backfill JOB --from DATE [--to DATE]`: re-pull whole UTC days without moving the live checkpoint;
/// `sluice backfill JOB --gaps`: re-pull every gap the API still serves.
struct BackfillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backfill",
        abstract: "Re-pull whole UTC days (--from/--to) or every recoverable gap (--gaps) for one job; the live watermark is not moved.")

    @Argument(help: "The job to backfill.")
    var job: String

    @Option(help: "First UTC day, YYYY-MM-DD.")
    var from: String?

    @Flag(help: "Re-pull every gap in the job's coverage that the API still serves (see sluice status), oldest first.")
    var gaps = false

    @Option(help: "Last UTC day, inclusive, YYYY-MM-DD (default: today).")
    var to: String?

    @OptionGroup var jobsOption: JobsOption
    @OptionGroup var warehouseOption: WarehouseOption
    @OptionGroup var logOptions: LogOptions

    func validate() throws {
        if gaps {
            guard from == nil, to == nil else {
                throw ValidationError("--gaps re-pulls the job's gaps; it takes no --from or --to")
            }
            return
        }
        guard let from else { throw ValidationError("say what to re-pull: --from DATE [--to DATE], or --gaps") }
        try validateDays(from: from)
    }

    private func validateDays(from: String) throws {
        guard Timestamps.isDate(from) else { throw ValidationError("--from must be a UTC day YYYY-MM-DD, got '\(from)'") }
        if let to, !Timestamps.isDate(to) { throw ValidationError("--to must be a UTC day YYYY-MM-DD, got '\(to)'") }
        guard DayRange(from: from, to: lastDay) != nil else {
            guard to != nil else {
                throw ValidationError("--from (\(from)) is after today (\(lastDay), UTC): a backfill re-pulls days that "
                    + "have passed; give a --from on or before today")
            }
            throw ValidationError("--to (\(lastDay)) is before --from (\(from))")
        }
    }

    var lastDay: String { to ?? String(Timestamps.format(epochSeconds: WallClock.epochNow()).prefix(10)) }

    func run() async throws {
        let signals = await SignalCancellation()
        let logger = CommandSupport.bootstrapLogging(logOptions)
        let selection = try CommandSupport.loadJobs(directory: jobsOption.path, selecting: [job],
                                                    consequence: "not needed for this backfill")
        let range = from.flatMap { DayRange(from: $0, to: lastDay) }
        guard gaps || range != nil else { throw SluiceExit.invalid }
        let progress = TerminalProgress()
        let outcome = try await CommandSupport.runInForeground(selection.jobs, trigger: .backfill, backfill: range,
                                                               gapsOnly: gaps, warehouse: warehouseOption, logger: logger,
                                                               signals: signals, progress: progress)
        throw CommandSupport.finish(outcome, progress: progress)
    }
}
