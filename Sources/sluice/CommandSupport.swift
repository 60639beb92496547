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

    /// Loads every job file of `directory` and selects `names` (every valid job when empty), as
    /// ``JobSelection`` decides: a broken file that was not asked for is skipped with a warning naming its
    /// file, line and cause (`consequence` says what happens then); a folder problem, a broken or unknown
    /// named job, or nothing valid to run prints why and exits 2.
    static func loadJobs(directory: String, selecting names: [String],
                         consequence: String = "the other jobs run, and sluice exits 1 at the end") throws -> JobSelection {
        let selection = JobSelection.decide(JobFileDecoder.loadDirectory(directory), names: names)
        if let refusal = selection.refusal {
            for line in refusal { StandardErrorText.write(line + "\n") }
            throw SluiceExit.invalid
        }
        let priority = RedactingLogHandler.journalStream ? "<4>" : ""
        for line in selection.warnings(directory: directory, consequence: consequence) {
            StandardErrorText.write(priority + line + "\n")
        }
        if selection.jobs.isEmpty, selection.hasSkippedFiles {
            StandardErrorText.write("no valid job file under \(directory); nothing was run\n")
            throw SluiceExit.invalid
        }
        return selection
    }

    /// Runs the daemon until it stops and closes its warehouse; a failed service (the metrics port taken
    /// after the check) is logged and ends with exit code 1.
    static func runDaemon(_ configuration: DaemonConfiguration, jobs: [JobDefinition], brokenFiles: [JobFileError] = [],
                          resources: DaemonResources, logger: Logger) async throws {
        do {
            try await Daemon.run(configuration, jobs: jobs, brokenFiles: brokenFiles, resources: resources, logger: logger)
            await resources.warehouse.close()
        } catch {
            await resources.warehouse.close()
            logger.critical("daemon stopped on an error: \(error)")
            throw SluiceExit.failedJob
        }
    }

    /// Prints `error` and returns the usage-error exit code (2), for the caller to throw.
    static func usageError(_ error: Any) -> ExitCode {
        StandardErrorText.write("\(error)\n")
        return SluiceExit.invalid
    }

    /// Runs `jobs` in the foreground, with progress, in the warehouse `warehouse` names. The first SIGINT
    /// (Ctrl-C) or SIGTERM cancels the runs: each stops after the page being written commits and is recorded
    /// `cancelled` with what it wrote.
    static func runInForeground(_ jobs: [JobDefinition], trigger: RunTrigger, backfill: DayRange? = nil,
                                gapsOnly: Bool = false, warehouse: WarehouseOption, secrets: SecretResolver = SecretResolver(), logger: Logger,
                                signals: SignalCancellation, progress: TerminalProgress) async throws -> ForegroundOutcome {
        // The job locks go with the warehouse: lock files beside a SQLite file, advisory locks inside PostgreSQL (so
        // a job the daemon is running on any machine is not started again here).
        let (opened, locks) = try await warehouse.openWithLocks()
        let run = ForegroundRun(warehouse: opened, locks: locks, secrets: secrets, logger: logger,
                                onProgress: { progress.show($0) })
        let reports: [RunReport], signal: Int32?
        do {
            (reports, signal) = try await signals.run(onSignal: { _ in
                logger.notice("stopping: each run ends after the page being written commits (Ctrl-C again stops at once)")
            }) {
                try await run.execute(jobs, trigger: trigger, backfill: backfill, gapsOnly: gapsOnly)
            }
        } catch {
            await opened.close()
            throw error
        }
        await opened.close()
        return ForegroundOutcome(reports: reports, signal: signal)
    }

    /// Prints one summary line per job to standard output and returns the exit code: 128 + the signal number
    /// when a signal stopped the runs (130 for Ctrl-C), else 0 or 1. `skippedFiles`: some job files were skipped,
    /// so the code is at least 1 even when every run succeeded.
    static func finish(_ outcome: ForegroundOutcome, progress: TerminalProgress, skippedFiles: Bool = false) -> ExitCode {
        progress.finish()
        for report in outcome.reports { print(report.summaryLine) }
        if let signal = outcome.signal { return ExitCode(128 + signal) }
        let failed = outcome.reports.contains { $0.status == .failed || $0.status == .cancelled }
        return failed || skippedFiles ? SluiceExit.failedJob : .success
    }
}

/// What a foreground run ended with: a report per job, and the signal that stopped it, if one did.
struct ForegroundOutcome: Sendable {
    var reports: [RunReport]
    var signal: Int32?
}
