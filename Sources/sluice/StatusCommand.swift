import ArgumentParser
import Foundation
import SluiceCore
import SluiceDaemon
import SluiceWarehouse

/// `sluice status [--json]`: per job, the last run, its result, rows, next run and checkpoint.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each job's last run, result, rows, next run and checkpoint.")

    @Flag(help: "Print JSON for scripts.")
    var json = false

    @OptionGroup var jobsOption: JobsOption
    @OptionGroup var warehouseOption: WarehouseOption

    func run() async throws {
        let jobs = try CommandSupport.loadJobs(directory: jobsOption.path, selecting: [])
        let path = warehouseOption.path
        let warehouse = FileManager.default.fileExists(atPath: path) ? try SQLiteWarehouse.openForReading(path: path) : nil
        let statuses = try await JobStatus.collect(jobs: jobs, warehouse: warehouse, now: WallClock.epochNow())
        await warehouse?.close()
        if json {
            print(StatusDocument.text(warehouse: path, statuses: statuses))
            return
        }
        if warehouse == nil { print("no warehouse at \(path) yet: nothing has run") }
        for s in statuses {
            print("\(s.job)  [\(s.source)]  schedule: \(s.schedule)  next: \(s.nextRun ?? "-")")
            if let run = s.lastRun {
                var line = "  last run #\(run.runID) \(run.status.rawValue) (\(run.trigger.rawValue)) at \(run.startedAt)"
                line += ", \(run.rowsWritten) rows"
                if let d = run.durationSeconds { line += ", \(String(format1: d)) s" }
                print(line)
                if let error = run.error { print("  error: \(ControlCharacters.escaped(Redactor.shared.redact(error)))") }
            } else {
                print("  never run")
            }
            if s.consecutiveFailures > 0 {
                print("  consecutive failures: \(s.consecutiveFailures) (last success: \(s.lastSuccessAt ?? "never"))")
            }
            for line in s.completenessLines(now: WallClock.epochNow()) { print(ControlCharacters.escaped(line)) }
            for key in s.checkpoint.keys.sorted() {
                print("  \(ControlCharacters.escaped(key)): \(ControlCharacters.escaped(s.checkpoint[key]!))")
            }
        }
    }
}
