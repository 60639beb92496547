import ArgumentParser
import Foundation
import Logging
import SluiceCore
import SluicePostgres
import SluiceSources
import SluiceWarehouse

/// `sluice doctor [JOB…] [--json]`: a preflight checklist per job and for the warehouse; exit 0 when all is ✔.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check job files, secrets, tokens, one cheap read per job, the clock and the warehouse; "
            + "say what to fix.",
        discussion: """
        For each job: the job file, its secret references, the token endpoint, one cheap read (WS1: the report's \
        downloads list; Citrix: $metadata and $top=1 per entity set; Power BI: the first page of today, one request; \
        cursor feed: the first page with page_size 1) and the servers' clocks. Then the warehouse: for a SQLite file, \
        folder writable, WAL possible, not on a network file system, disk space, and the ODBC typing of an existing \
        file; for PostgreSQL, logging in (password, TLS), the server's version and the schema (a warehouse this \
        Sluice knows, or the right to create one). Nothing is written to the warehouse. Exit 0 when every check is ✔, 1 otherwise.
        """)

    @Argument(help: "Job names (file stems or name:); every job when omitted.")
    var jobNames: [String] = []

    @Flag(help: "Print JSON for scripts.")
    var json = false

    @OptionGroup var jobsOption: JobsOption
    @OptionGroup var warehouseOption: WarehouseOption
    @OptionGroup var logOptions: LogOptions

    func run() async throws {
        var logger = CommandSupport.bootstrapLogging(logOptions)
        // The checklist says what went wrong; log lines (retries, 401 refreshes) only with --verbose.
        logger.logLevel = logOptions.verbose ? .debug : .critical
        let now = WallClock.epochNow()
        let subjects = DoctorSubject.plan(JobFileDecoder.loadDirectory(jobsOption.path), names: jobNames)
        var sections = try await SourceRuntime.with(secrets: SecretResolver()) { runtime in
            try await Self.examine(subjects, runtime: runtime, now: now, logger: logger)
        }
        sections.append(await warehouseSection(now: now))
        let report = DoctorReport(sections: sections)
        if json {
            print(report.json().jsonText)
        } else {
            print(report.text(), terminator: "")
        }
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }

    /// The warehouse's checklist: the file and its folder for SQLite; logging in and the schema for PostgreSQL.
    func warehouseSection(now: Double) async -> DoctorSection {
        guard warehouseOption.isPostgres else { return WarehouseDoctor.examine(path: warehouseOption.path, now: now) }
        do {
            return await PostgresDoctor.examine(try warehouseOption.postgresConnector())
        } catch {
            return DoctorSection(kind: .warehouse, title: warehouseOption.displayName, checks: [
                .fail("connect", "\((error as? SluiceError)?.message ?? String(describing: error))",
                      fix: "fix the warehouse URL or its password reference, then run sluice doctor again"),
            ])
        }
    }

    /// The sections of `subjects` in their order; the jobs are examined concurrently.
    static func examine(_ subjects: [DoctorSubject], runtime: SourceRuntime, now: Double,
                        logger: Logger) async throws -> [DoctorSection] {
        try await withThrowingTaskGroup(of: (Int, DoctorSection).self) { group in
            var sections = [DoctorSection?](repeating: nil, count: subjects.count)
            for (index, subject) in subjects.enumerated() {
                switch subject {
                case .problem(let section):
                    sections[index] = section
                case .job(let job):
                    group.addTask { (index, await runtime.examine(job, now: now, logger: logger)) }
                }
            }
            for try await (index, section) in group { sections[index] = section }
            return sections.compactMap { $0 }
        }
    }
}
