import ArgumentParser
import Foundation
import SluiceCore
import SluiceDaemon
import SluiceWarehouse

/// `sluice status [--json]`: per job, the last run, its result, rows, next run and checkpoint.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each job's last run, result, rows, next run and checkpoint.",
        discussion: """
        Times are UTC. Job files with problems are listed (file, line, cause) after the jobs that loaded.
        Exit codes: 0 nothing needs attention; 1 a job's last run failed, a job is stale (no successful run \
        although its schedule wanted two since the last one: is the daemon running?) or a job file has problems; \
        2 bad usage or an unusable --jobs or --warehouse.
        """)

    @Flag(help: "Print JSON for scripts.")
    var json = false

    @OptionGroup var jobsOption: JobsOption
    @OptionGroup var warehouseOption: WarehouseOption

    func run() async throws {
        let selection = JobSelection.decide(JobFileDecoder.loadDirectory(jobsOption.path), names: [])
        if let refusal = selection.refusal { throw CommandSupport.usageError(refusal.joined(separator: "\n")) }
        let jobs = selection.jobs
        let path = warehouseOption.path
        let warehouse: (any Warehouse)? = warehouseOption.isPostgres
            ? try await warehouseOption.openPostgresForReading() : try warehouseOption.openForReadingIfPresent()
        let now = WallClock.epochNow()
        let statuses = try await JobStatus.collect(jobs: jobs, warehouse: warehouse, now: now)
        await warehouse?.close()
        let attention = zip(jobs, statuses).map { JobAttention.of($0, status: $1, now: now) }
        if json {
            print(StatusDocument.text(warehouse: path, statuses: statuses, brokenFiles: selection.skipped))
        } else {
            printText(statuses, attention: attention, skipped: selection.skipped, warehouseFound: warehouse != nil)
        }
        if attention.contains(where: { $0 != nil }) || selection.hasSkippedFiles { throw SluiceExit.failedJob }
    }

    private func printText(_ statuses: [JobStatus], attention: [JobAttention?], skipped: [JobFileError],
                           warehouseFound: Bool) {
        if !warehouseFound { print("no warehouse at \(warehouseOption.path) yet: nothing has run") }
        let attentionByJob = Dictionary(zip(statuses.map(\.job), attention), uniquingKeysWith: { a, _ in a })
        for group in JobStatus.groupedByTenant(statuses) {
            if let tenant = group.tenant {
                print("tenant \(tenant): \(CountText.format(group.statuses.count, "job")), \(group.failing) failing")
            }
            for s in group.statuses { printJob(s, attention: attentionByJob[s.job] ?? nil) }
        }
        guard !skipped.isEmpty else { return }
        print("job files with problems (their jobs are not loaded; sluice validate checks them):")
        for error in skipped { print("  \(ControlCharacters.escaped(error.description))") }
    }

    private func printJob(_ s: JobStatus, attention: JobAttention?) {
        print("\(s.job)  [\(s.source)]  schedule: \(s.schedule)  next: \(s.nextRun.map(Self.utc) ?? "-")")
        if let run = s.lastRun {
            var line = "  last run #\(run.runID) \(run.status.rawValue) (\(run.trigger.rawValue)) at \(Self.utc(run.startedAt))"
            line += ", \(CountText.format(run.rowsWritten, "row"))"
            if let d = run.durationSeconds { line += ", \(String(format1: d)) s" }
            print(line)
            if let error = run.error { print("  error: \(ControlCharacters.escaped(Redactor.shared.redact(error)))") }
        } else {
            print("  never run")
        }
        if s.consecutiveFailures > 0 {
            print("  consecutive failures: \(s.consecutiveFailures) (last success: \(s.lastSuccessAt.map(Self.utc) ?? "never"))")
        }
        for line in s.completenessLines(now: WallClock.epochNow()) { print(ControlCharacters.escaped(line)) }
        for key in s.checkpoint.keys.sorted() {
            print("  \(ControlCharacters.escaped(key)): \(ControlCharacters.escaped(s.checkpoint[key]!))")
        }
        if let attention { print("  \(attention.description)") }
    }

    /// A stored UTC timestamp as shown: `2026-03-01 12:00:00Z`.
    static func utc(_ timestamp: String) -> String { timestamp + "Z" }
}
