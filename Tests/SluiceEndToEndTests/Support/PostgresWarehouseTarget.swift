import Foundation
import SluiceCore
import SluicePostgresTestSupport
import SluiceTestSupport

/// A PostgreSQL warehouse for the binary: the test server's URL, a schema of its own, the password in
/// `SLUICE_WAREHOUSE_PASSWORD` (never on the command line), and a reader of the result.
struct PostgresWarehouseTarget {
    let url: String
    let schema: String
    let password: String?
    let reader: PostgresTestReader

    /// Arguments selecting the warehouse.
    var arguments: [String] { ["--warehouse", url, "--warehouse-schema", schema] }

    /// Environment with the password.
    var environment: [String: String] { password.map { ["SLUICE_WAREHOUSE_PASSWORD": $0] } ?? [:] }

    /// Runs `body` with a fresh schema (dropped afterwards); fails when no server is configured.
    static func with(test: String = #function, _ body: (PostgresWarehouseTarget) async throws -> Void) async throws {
        guard TestPostgres.isConfigured, let url = TestPostgres.url else { throw TestPostgres.unavailable(test) }
        let schema = TestPostgres.freshSchema("e2e")
        let reader = try await PostgresTestReader.open(schema: schema)
        let target = PostgresWarehouseTarget(url: url, schema: schema, password: TestPostgres.password, reader: reader)
        do {
            try await body(target)
        } catch {
            await reader.close()
            await TestPostgres.dropSchema(schema)
            throw error
        }
        await reader.close()
        await TestPostgres.dropSchema(schema)
    }

    /// Runs `sluice args…` against this warehouse (plus `extra` environment), waiting at most `timeout` seconds.
    func sluice(_ args: [String], jobs: String, in directory: String, environment extra: [String: String] = [:],
                timeout: Double = 120) async throws -> SluiceProcess.Result {
        try await SluiceProcess.run(args + ["--jobs", jobs] + arguments, in: directory,
                                    environment: environment.merging(extra) { _, new in new }, timeout: timeout)
    }

    /// Starts `sluice daemon` on `jobs` against this warehouse.
    func startDaemon(jobs: String, in directory: String, environment extra: [String: String] = [:],
                     _ more: [String] = []) throws -> SluiceProcess.Running {
        try SluiceProcess.start(["daemon", "--jobs", jobs] + arguments + more, in: directory,
                                environment: environment.merging(extra) { _, new in new })
    }

    /// One row of `sluice_runs`, times as seconds since the epoch.
    struct Run: Equatable {
        var id: Int64
        var job: String
        var status: String
        var started: Double
        var finished: Double?
    }

    /// Every recorded run (none while the warehouse does not exist yet), oldest first.
    func runs() async -> [Run] {
        guard let rows = try? await reader.rows("""
            SELECT run_id, job, status, extract(epoch FROM started_at)::float8, extract(epoch FROM finished_at)::float8
            FROM sluice_runs ORDER BY run_id
            """) else { return [] }
        return rows.compactMap { row in
            guard case .integer(let id) = row[0], case .text(let job) = row[1], case .text(let status) = row[2],
                  case .double(let started) = row[3] else { return nil }
            var finished: Double?
            if case .double(let value) = row[4] { finished = value }
            return Run(id: id, job: job, status: status, started: started, finished: finished)
        }
    }

    /// Runs of `job` that ran to an end (`succeeded`, `unchanged` or `failed`).
    func completed(_ job: String) async -> [Run] {
        await runs().filter { $0.job == job && ["succeeded", "unchanged", "failed"].contains($0.status) }
    }
}

/// Polls the async `condition` every 100 ms until it holds or `seconds` pass; returns whether it held.
func eventuallyAsync(within seconds: Double, _ condition: () async -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if await condition() { return true }
        try await Task.sleep(for: .milliseconds(100))
    }
    return await condition()
}
