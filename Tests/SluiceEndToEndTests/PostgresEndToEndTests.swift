import Foundation
import Glibc
import SluiceCore
import SluiceEmulators
import SluiceTestSupport
import Testing
import SluicePostgresTestSupport

/// The built binary against a PostgreSQL warehouse (`$SLUICE_TEST_POSTGRES_URL`): all four sources through the
/// daemon, `status`, a SIGKILL in the middle of a download, and what the command line refuses. Every wait is bounded.
@Suite("PostgreSQL warehouse, end to end")
struct PostgresEndToEndTests {
    @Test func allFourSourcesLoadIntoTypedTablesAndStatusReadsThem() async throws {
        try await PostgresWarehouseTarget.with { pg in
            try await FeedFixture.with { feed in
                try await WS1Fixture.with { ws1 in
                    try await CitrixFixture.with { citrix in
                        try await PowerBIFixture.with { pbi in
                            ws1.ws1.addDownload(modifiedAt: WS1Fixture.day(1), csv: .init(rows: 12, seed: 3))
                            let jobs = feed.dir.jobs
                            try WS1Fixture.jobYAML(url: ws1.url).write(toFile: jobs + "/devices.yaml", atomically: true, encoding: .utf8)
                            try citrix.jobYAML(entities: ["Sessions", "Machines", "Users"])
                                .write(toFile: jobs + "/citrix.yaml", atomically: true, encoding: .utf8)
                            try PowerBIFixture.jobYAML(url: pbi.url).write(toFile: jobs + "/pbi.yaml", atomically: true, encoding: .utf8)
                            let environment = feed.environment.merging(ws1.environment) { a, _ in a }
                                .merging(citrix.environment) { a, _ in a }.merging(pbi.environment) { a, _ in a }
                            let daemon = try pg.startDaemon(jobs: jobs, in: feed.dir.path, environment: environment)
                            let names = ["feed", "devices", "citrix", "pbi"]
                            let ran = try await eventuallyAsync(within: 90) {
                                var done = true
                                for name in names where await pg.completed(name).isEmpty { done = false }
                                return done
                            }
                            let commandLine = (try? String(contentsOfFile: "/proc/\(daemon.pid)/cmdline", encoding: .utf8)) ?? ""
                            daemon.signal(SIGTERM)
                            let result = try await daemon.wait(timeout: 30)
                            #expect(ran, "\(result.combined)")
                            #expect(result.exitCode == 0, "\(result.combined)")
                            let runs = await pg.runs()
                            #expect(runs.filter { names.contains($0.job) }.allSatisfy { $0.status == "succeeded" }, "\(runs)")

                            let db = pg.reader
                            #expect(try await db.int("SELECT count(*) FROM feed_rows") == 250)
                            #expect(try await db.int("SELECT count(DISTINCT id) FROM feed_rows") == 250)
                            #expect(try await db.int("SELECT count(*) FROM devices") == 12)
                            #expect(try await db.int("SELECT count(*) FROM devices_latest") == 12)
                            #expect(try await db.int("SELECT count(*) FROM citrix_sessions") == 300)
                            #expect(try await db.int("SELECT count(*) FROM citrix_machines") == 40)
                            #expect(try await db.int("SELECT count(*) FROM citrix_users") == 120)
                            #expect(try await db.int("SELECT count(*) FROM pbi_events") == pbi.emulator.eventCount)
                            let sessions = try await db.declaredTypes("citrix_sessions")
                            #expect(sessions["modified_date"] == "timestamp with time zone")
                            #expect(sessions["connection_state"] == "bigint" && sessions["is_anonymous"] == "boolean")
                            let devices = try await db.declaredTypes("devices")
                            #expect(devices["last_seen_utc"] == "timestamp with time zone" && devices["battery"] == "bigint")
                            #expect(devices["_sluice_snapshot_at"] == "timestamp with time zone")
                            #expect(try await db.declaredTypes("feed_rows")["_sluice_loaded_at"] == "timestamp with time zone")
                            #expect(try await db.int("SELECT count(*) FROM sluice_pending") == 0)
                            #expect(try await db.rows("SELECT last_status FROM sluice_job_health ORDER BY job")
                                == Array(repeating: [.text("succeeded")], count: 4))

                            let status = try await pg.sluice(["status", "--json"], jobs: jobs, in: feed.dir.path,
                                                             environment: environment)
                            #expect(status.exitCode == 0, "\(status.combined)")
                            #expect(status.stdout.contains("\"status\":\"succeeded\""), "\(status.stdout)")
                            #expect(status.stdout.contains("postgresql://"))
                            let text = try await pg.sluice(["status"], jobs: jobs, in: feed.dir.path, environment: environment)
                            #expect(text.exitCode == 0 && text.stdout.contains("last run #"), "\(text.combined)")

                            // The password is in no log line, no status output and not in the process list.
                            let password = try #require(pg.password)
                            for output in [result.combined, status.combined, text.combined, commandLine] {
                                #expect(!output.contains(password))
                            }
                            #expect(!commandLine.isEmpty && commandLine.contains("daemon"))
                            for secret in [feed.token, ws1.secret, citrix.secret, pbi.secret] {
                                #expect(!result.combined.contains(secret))
                            }
                        }
                    }
                }
            }
        }
    }

    @Test func aDaemonKilledInTheMiddleOfADownloadConvergesOnItsNextStart() async throws {
        try await PostgresWarehouseTarget.with { pg in
            try await WS1Fixture.with { ws1 in
                let rows = 20_000
                let download = ws1.ws1.addDownload(modifiedAt: WS1Fixture.day(1), csv: .init(rows: rows, seed: 7))
                // Slow enough that the kill lands while parts are loaded but not yet published.
                ws1.ws1.storage.setMisbehaviour(.trickle(bytes: 64 * 1024, interval: .milliseconds(60)))
                let first = try pg.startDaemon(jobs: ws1.dir.jobs, in: ws1.dir.path, environment: ws1.environment)
                let loading = try await eventuallyAsync(within: 60) {
                    (try? await pg.reader.int("SELECT coalesce(sum(rows), 0)::bigint FROM sluice_pending WHERE purpose = 'loading'")) ?? 0 > 0
                }
                first.signal(SIGKILL)
                let killed = try await first.wait(timeout: 30)
                #expect(loading, "\(killed.combined)")
                #expect(try await pg.reader.int("SELECT count(*) FROM sluice_runs WHERE status = 'running'") == 1)
                #expect(try await pg.reader.nameExists("devices") == false, "nothing of the download is visible")

                ws1.ws1.storage.setMisbehaviour(nil)
                let second = try pg.startDaemon(jobs: ws1.dir.jobs, in: ws1.dir.path, environment: ws1.environment)
                let converged = try await eventuallyAsync(within: 90) { await !pg.completed("devices").isEmpty }
                second.signal(SIGTERM)
                let result = try await second.wait(timeout: 30)
                #expect(converged, "\(result.combined)")
                #expect(await pg.runs().map(\.status) == ["abandoned", "succeeded"])
                #expect(try await pg.reader.int("SELECT count(*) FROM devices") == rows)
                #expect(try await pg.reader.scalar("SELECT DISTINCT _sluice_snapshot_id FROM devices_latest") == .text(download))
                #expect(try await pg.reader.int("SELECT count(*) FROM sluice_pending") == 0)
                // The cut-off load's table is gone: only the published snapshot's partition is left.
                #expect(try await pg.reader.int("""
                    SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname LIKE 'sluice\\_load\\_%'
                    """, [pg.schema]) == 1)
            }
        }
    }

    @Test func theCommandLineRefusesWhatCannotWorkAndNeverShowsThePassword() async throws {
        try await PostgresWarehouseTarget.with { pg in
            try await FeedFixture.with { feed in
                let secret = "hunter2-\(UUID().uuidString)"
                let withPassword = pg.url.replacingOccurrences(of: "://sluice@", with: "://sluice:\(secret)@")
                let refused = try await SluiceProcess.run(["daemon", "--jobs", feed.dir.jobs, "--warehouse", withPassword],
                                                          in: feed.dir.path, environment: feed.environment, timeout: 30)
                #expect(refused.exitCode == 2, "\(refused.combined)")
                #expect(refused.stderr.contains("must not contain a password"), "\(refused.stderr)")
                #expect(!refused.combined.contains(secret))

                let publish = try await pg.sluice(["daemon", "--publish", feed.dir.path + "/copy.db"], jobs: feed.dir.jobs,
                                                  in: feed.dir.path, environment: feed.environment, timeout: 30)
                #expect(publish.exitCode == 2, "\(publish.combined)")
                #expect(publish.stderr.contains("--publish"), "\(publish.stderr)")

                let schemaWithSQLite = try await SluiceProcess.run(
                    ["status", "--jobs", feed.dir.jobs, "--warehouse", feed.dir.warehouse, "--warehouse-schema", "bi"],
                    in: feed.dir.path, timeout: 30)
                #expect(schemaWithSQLite.exitCode == 2, "\(schemaWithSQLite.combined)")

                let wrong = "wrong-\(UUID().uuidString)"
                let denied = try await pg.sluice(["daemon"], jobs: feed.dir.jobs, in: feed.dir.path,
                                                 environment: feed.environment.merging(["SLUICE_WAREHOUSE_PASSWORD": wrong]) { _, b in b },
                                                 timeout: 60)
                #expect(denied.exitCode == 1, "\(denied.combined)")
                #expect(denied.combined.contains("SLUICE_WAREHOUSE_PASSWORD"), "\(denied.combined)")
                #expect(!denied.combined.contains(wrong))

                // Nothing has run in this schema yet: status says so without creating anything.
                let empty = try await pg.sluice(["status"], jobs: feed.dir.jobs, in: feed.dir.path, environment: feed.environment)
                #expect(empty.exitCode == 0 && empty.stdout.contains("nothing has run"), "\(empty.combined)")
                #expect(try await pg.reader.nameExists("sluice_runs") == false)
            }
        }
    }

    @Test func runAndDoctorUseThePostgresWarehouseAndItsLocks() async throws {
        try await PostgresWarehouseTarget.with { pg in
            try await FeedFixture.with { feed in
                // Before anything ran: doctor logs in and finds an empty schema it may create; no file-system checks.
                let before = try await pg.sluice(["doctor", "--json"], jobs: feed.dir.jobs, in: feed.dir.path,
                                                 environment: feed.environment)
                let warehouseSection = try #require(before.stdout.range(of: "\"kind\":\"warehouse\"").map { before.stdout[$0.lowerBound...] },
                                                    "\(before.combined)")
                #expect(warehouseSection.contains("\"check\":\"connect\",\"result\":\"pass\""), "\(before.stdout)")
                #expect(warehouseSection.contains("\"check\":\"schema\",\"result\":\"pass\""), "\(before.stdout)")
                for fileCheck in ["\"WAL\"", "\"folder\"", "\"disk space\"", "\"ODBC typing\""] {
                    #expect(!warehouseSection.contains(fileCheck), "\(before.stdout)")
                }
                #expect(before.exitCode == 0, "\(before.combined)")
                #expect(try await pg.reader.nameExists("sluice_runs") == false, "doctor writes nothing")

                // `sluice run` loads into PostgreSQL and takes the job's advisory lock, not a lock file.
                let run = try await pg.sluice(["run"], jobs: feed.dir.jobs, in: feed.dir.path, environment: feed.environment)
                #expect(run.exitCode == 0, "\(run.combined)")
                #expect(try await pg.reader.int("SELECT count(*) FROM feed_rows") == 250)
                let leftovers = try FileManager.default.contentsOfDirectory(atPath: feed.dir.path)
                #expect(!leftovers.contains { $0.hasPrefix("postgres") || $0.hasSuffix(".locks") }, "\(leftovers)")

                let after = try await pg.sluice(["doctor"], jobs: feed.dir.jobs, in: feed.dir.path, environment: feed.environment)
                #expect(after.stdout.contains("holds a Sluice warehouse (version"), "\(after.stdout)")

                // A wrong password: doctor says what to fix and never shows it.
                let wrong = "wrong-\(UUID().uuidString)"
                let denied = try await pg.sluice(["doctor"], jobs: feed.dir.jobs, in: feed.dir.path,
                                                 environment: feed.environment.merging(["SLUICE_WAREHOUSE_PASSWORD": wrong]) { _, b in b })
                #expect(denied.exitCode == 1, "\(denied.combined)")
                #expect(denied.stdout.contains("SLUICE_WAREHOUSE_PASSWORD"), "\(denied.stdout)")
                #expect(!denied.combined.contains(wrong))
            }
        }
    }
}
