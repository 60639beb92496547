import CODBC
import Testing
import SluiceEmulators
import SluiceTestSupport

/// `sluice_job_health`: one row per job with the age of its data, read through ODBC as a dashboard would.
@Suite("sluice_job_health through ODBC")
struct JobHealthViewTests {
    @Test func everyColumnOfTheViewIsTypedInTheCatalogAndInTheResultSet() async throws {
        try await WarehouseFixture.with { f in
            let run = try await f.sluice(["run"])
            #expect(run.exitCode == 0, "\(run.combined)")
            let odbc = try f.odbc()
            let expected: [(String, Set<Int>)] = [
                ("job", ODBCTypes.longText), ("last_status", ODBCTypes.longText),
                ("last_started_at", [Int(SQL_TYPE_TIMESTAMP)]), ("last_finished_at", [Int(SQL_TYPE_TIMESTAMP)]),
                ("last_success_at", [Int(SQL_TYPE_TIMESTAMP)]), ("last_success_rows", [Int(SQL_BIGINT)]),
                ("last_failure_at", [Int(SQL_TYPE_TIMESTAMP)]), ("last_error", ODBCTypes.longText),
                ("last_error_kind", ODBCTypes.longText),
                ("finished_runs", [Int(SQL_BIGINT)]), ("consecutive_failures", [Int(SQL_BIGINT)]),
            ]
            let catalog = try odbc.columns(of: "sluice_job_health")
            let described = try odbc.query("SELECT * FROM sluice_job_health").resultColumns()
            #expect(catalog.map(\.name) == expected.map(\.0))
            #expect(described.map(\.name) == expected.map(\.0))
            // The first row has no failure: NULLs must not turn the type into a guess.
            for (index, (name, accepted)) in expected.enumerated() where index < min(catalog.count, described.count) {
                #expect(accepted.contains(catalog[index].dataType), "SQLColumns \(name): \(catalog[index].dataType)")
                #expect(accepted.contains(described[index].dataType),
                        "SQLDescribeCol \(name): \(described[index].dataType)")
            }
        }
    }

    @Test func showsTheLastSuccessTheLastFailureAndTheFailureStreak() async throws {
        try await WarehouseFixture.with { f in
            let first = try await f.sluice(["run"])
            #expect(first.exitCode == 0, "\(first.combined)")
            f.feed.faults.failNextRequests(1, status: 403)
            let failed = try await f.sluice(["run"])
            #expect(failed.exitCode == 1, "\(failed.combined)")
            let sqlite = try f.sqlite()
            let finished = try sqlite.rows("SELECT finished_at FROM sluice_runs ORDER BY run_id").map { $0[0] ?? "" }
            #expect(finished.count == 2)

            var health = try JobHealth.read(try f.odbc())
            #expect(health.map(\.job) == ["feed"])
            #expect(health.first?.lastStatus == "failed")
            #expect(health.first?.lastSuccessAt == finished.first)
            #expect(health.first?.lastSuccessRows == 250)
            #expect(health.first?.lastFailureAt == finished.last)
            #expect(health.first?.lastError?.contains("job 'feed'") == true)
            #expect(health.first?.lastError?.contains("403") == true)
            #expect(health.first?.finishedRuns == 2)
            #expect(health.first?.consecutiveFailures == 1)

            f.feed.faults.failNextRequests(1, status: 403)
            _ = try await f.sluice(["run"])
            health = try JobHealth.read(try f.odbc())
            #expect(health.first?.consecutiveFailures == 2)
            #expect(health.first?.lastSuccessAt == finished.first)

            let recovered = try await f.sluice(["run"])
            #expect(recovered.exitCode == 0, "\(recovered.combined)")
            health = try JobHealth.read(try f.odbc())
            let last = try sqlite.rows("SELECT finished_at FROM sluice_runs ORDER BY run_id DESC LIMIT 1")
            #expect(health.first?.lastStatus == "succeeded")
            #expect(health.first?.lastSuccessAt == last.first?.first ?? nil)
            #expect(health.first?.lastSuccessRows == 0)
            #expect(health.first?.lastFailureAt != nil)
            #expect(health.first?.finishedRuns == 4)
            #expect(health.first?.consecutiveFailures == 0)
        }
    }
}

/// One row of `sluice_job_health`, read in the C types a BI tool binds.
struct JobHealth {
    var job: String
    var lastStatus: String?
    var lastSuccessAt: String?
    var lastSuccessRows: Int64?
    var lastFailureAt: String?
    var lastError: String?
    var finishedRuns: Int64?
    var consecutiveFailures: Int64?

    static func read(_ odbc: ODBCConnection) throws -> [JobHealth] {
        try odbc.query("""
            SELECT job, last_status, last_success_at, last_success_rows, last_failure_at, last_error, finished_runs,
                   consecutive_failures
            FROM sluice_job_health ORDER BY job
            """).rows { row in
            JobHealth(job: try row.wideString(1) ?? "", lastStatus: try row.wideString(2),
                      lastSuccessAt: try row.timestamp(3)?.warehouseText, lastSuccessRows: try row.int64(4),
                      lastFailureAt: try row.timestamp(5)?.warehouseText, lastError: try row.wideString(6),
                      finishedRuns: try row.int64(7), consecutiveFailures: try row.int64(8))
        }
    }
}
