import CSQLite
import Foundation
import SluiceEmulators

/// `sluice daemon` against all four emulators for a long stretch (`--seconds`, default 1,200): short schedules,
/// a low rate of injected faults (429/503 with `Retry-After`, truncated bodies), short token lifetimes, new data
/// arriving as it goes. It samples resident memory, and at the end checks what a month of running depends on:
/// memory flat, one token per credential per expiry, every run recorded once and counted right, tables exact.
struct SoakBenchmark {
    let options: BenchOptions

    /// Token lifetime of every emulated token endpoint: the daemon refreshes 60 s before expiry.
    static let tokenLifetime = 300

    func run() async throws {
        let cleanup = try options.makeDirectory()
        defer { cleanup() }
        let seconds = options.seconds ?? 1200
        let dir = options.directory
        let jobs = dir + "/jobs"
        try FileManager.default.createDirectory(atPath: jobs, withIntermediateDirectories: true)

        let feedToken = "soak-feed-" + UUID().uuidString
        let feed = CursorFeedEmulator(.init(rowCount: 2000, expectedToken: feedToken, firstUpdatedAt: Date().addingTimeInterval(-86_400)))
        let citrixSecret = "soak-citrix-" + UUID().uuidString
        let citrix = CitrixMonitorEmulator(.init(clientSecret: citrixSecret, rowCounts: ["Sessions": 600, "Machines": 40],
                                                 anchor: Date(), rowInterval: .seconds(300),
                                                 tokenLifetimeSeconds: Self.tokenLifetime))
        let pbiSecret = "soak-pbi-" + UUID().uuidString
        let pbi = PowerBIActivityEmulator(.init(tenantID: "soak-tenant", clientID: "soak-client", clientSecret: pbiSecret,
                                                dayCount: 3, eventsPerDay: 300, pageSize: 100,
                                                tokenLifetimeSeconds: Self.tokenLifetime))
        let ws1Secret = "soak-ws1-" + UUID().uuidString
        let ws1 = WS1Emulator(.init(clientSecret: ws1Secret, tokenLifetimeSeconds: Self.tokenLifetime))
        ws1.addDownload(modifiedAt: Date().addingTimeInterval(-3600), csv: .init(rows: 5_000, seed: 1))
        for emulator in [feed.faults, citrix.faults, pbi.faults, ws1.faults] as [FaultKnobs] {
            emulator.setRandomFaults(rate: 0.02, statuses: [429, 503], truncateRate: 0.005, seed: 7)
        }

        try await EmulatorServer.withRunning([feed, citrix, pbi, ws1]) { urls in
            try await EmulatorServer.withRunning(ws1.storage, host: "127.0.0.2") { storageURL in
                ws1.setStorageURL(storageURL)
                try Self.writeJobs(into: jobs, urls: urls)
                let environment = ["SOAK_FEED_TOKEN": feedToken,
                                   "SOAK_CITRIX_CUSTOMER": "demo-customer", "SOAK_CITRIX_CLIENT": "demo-client",
                                   "SOAK_CITRIX_SECRET": citrixSecret,
                                   "SOAK_PBI_TENANT": "soak-tenant", "SOAK_PBI_CLIENT": "soak-client",
                                   "SOAK_PBI_SECRET": pbiSecret,
                                   "SOAK_WS1_CLIENT": "sluice@tenant.data.workspaceone.com", "SOAK_WS1_SECRET": ws1Secret]
                let warehouse = dir + "/soak.db"
                let process = Process()
                process.executableURL = URL(fileURLWithPath: try BenchRun.sluiceExecutable(options.sluice))
                process.arguments = ["daemon", "--jobs", jobs, "--warehouse", warehouse, "--log-format", "json"]
                var env = ProcessInfo.processInfo.environment
                for (k, v) in environment { env[k] = v }
                process.environment = env
                _ = FileManager.default.createFile(atPath: dir + "/daemon.log", contents: nil)
                let log = FileHandle(forWritingAtPath: dir + "/daemon.log")
                process.standardOutput = log
                process.standardError = log
                try process.run()
                defer { if process.isRunning { process.terminate(); process.waitUntilExit() } }

                var samples: [MemorySample] = []
                let start = Date()
                var nextChange = 60.0
                var downloads = 1
                while Date().timeIntervalSince(start) < Double(seconds) {
                    try await Task.sleep(for: .seconds(10))
                    let t = Date().timeIntervalSince(start)
                    guard process.isRunning else {
                        throw BenchOptions.UsageError(description: "the daemon exited after \(Int(t)) s (status \(process.terminationStatus))")
                    }
                    if let sample = MemorySample(process.processIdentifier, at: t) { samples.append(sample) }
                    if t >= nextChange {
                        // New data keeps arriving: feed rows, Citrix sessions changing, a WS1 download now and then.
                        _ = feed.append(count: 40)
                        citrix.modify("Sessions", rows: Array(1...20), at: Date())
                        if Int(t) / 180 >= downloads {
                            downloads += 1
                            ws1.addDownload(modifiedAt: Date(), csv: .init(rows: 5_000, seed: downloads))
                        }
                        nextChange += 60
                    }
                }
                process.terminate()
                process.waitUntilExit()
                let elapsed = Date().timeIntervalSince(start)
                try report(seconds: elapsed, samples: samples, warehouse: warehouse, exit: process.terminationStatus,
                           tokens: [("citrix", citrix.tokens.journal.requestCount), ("powerbi", pbi.tokenRequests),
                                    ("ws1", ws1.tokenEndpoint.journal.requestCount)],
                           feedRows: feed.rowCount, pbiEvents: pbi.eventCount,
                           citrixSessions: 600, ws1Downloads: downloads)
            }
        }
    }

    static func writeJobs(into folder: String, urls: [String]) throws {
        let files = [
            ("soak-feed", """
                schedule: "every 15s"
                target: { table: soak_feed, primary_key: [id] }
                source:
                  type: cursor-feed
                  base_url: "\(urls[0])"
                  dataset: access-requests
                  token: { env: SOAK_FEED_TOKEN }
                  page_size: 200
                """),
            ("soak-citrix", """
                schedule: "every 20s"
                source:
                  type: citrix-monitor
                  api_base: "\(urls[1])"
                  token_url: "\(CitrixMonitorEmulator.tokenURL(forAPIBase: urls[1]))"
                  customer_id: { env: SOAK_CITRIX_CUSTOMER }
                  client_id: { env: SOAK_CITRIX_CLIENT }
                  client_secret: { env: SOAK_CITRIX_SECRET }
                  entities: [Sessions, Machines]
                  initial_lookback: 7d
                  lookback: 1h
                """),
            ("soak-powerbi", """
                schedule: "every 30s"
                target: { table: soak_pbi }
                http: { rate_limit: 100000/1h }
                source:
                  type: powerbi-activity
                  authority: "\(urls[2])"
                  api_base: "\(urls[2])/v1.0/myorg"
                  tenant_id: { env: SOAK_PBI_TENANT }
                  client_id: { env: SOAK_PBI_CLIENT }
                  client_secret: { env: SOAK_PBI_SECRET }
                  initial_lookback: 4d
                """),
            ("soak-ws1", """
                schedule: "every 20s"
                target: { table: soak_ws1, mode: snapshot, keep_snapshots: 5 }
                source:
                  type: ws1-intelligence
                  api_base: "\(urls[3])"
                  token_url: "\(urls[3])/oauth/token"
                  report_id: 375c49a4-8af5-4e5e-96b4-d6b015828a33
                  client_id: { env: SOAK_WS1_CLIENT }
                  client_secret: { env: SOAK_WS1_SECRET }
                """),
        ]
        for (name, text) in files { try (text + "\n").write(toFile: "\(folder)/\(name).yaml", atomically: true, encoding: .utf8) }
    }

    /// Resident memory of the daemon at one moment, in MiB: the whole, and its two parts. Anonymous memory (heap,
    /// stacks) is what a leak grows; file-backed memory is pages of the binary and libraries, clean and shared, which
    /// grows as code paths are first used (a retry, a token refresh) and which the kernel can drop at any time.
    struct MemorySample {
        var seconds: Double
        var rss: Double
        var anonymous: Double
        var file: Double

        init?(_ pid: Int32, at seconds: Double) {
            guard let rss = IdleBenchmark.statusMiB(pid, "VmRSS"), let anonymous = IdleBenchmark.statusMiB(pid, "RssAnon"),
                  let file = IdleBenchmark.statusMiB(pid, "RssFile") else { return nil }
            self.seconds = seconds
            self.rss = rss
            self.anonymous = anonymous
            self.file = file
        }
    }

    /// Start → end, peak and fitted slope of one measure of the samples, after the first two minutes.
    private static func memoryLine(_ name: String, _ samples: [MemorySample], _ value: (MemorySample) -> Double,
                                   target: String) -> BenchLine {
        let settled = samples.filter { $0.seconds >= 120 }.map { ($0.seconds, value($0)) }
        let first = settled.prefix(6).map(\.1).reduce(0, +) / Double(max(1, min(6, settled.count)))
        let last = settled.suffix(6).map(\.1).reduce(0, +) / Double(max(1, min(6, settled.count)))
        let slope = Self.slope(settled) * 3600
        let peak = samples.map(value).max() ?? 0
        return BenchLine(name: name + ", minutes 2-3 → last minute (mean of 6 samples)",
                         figure: "\(BenchMeasure.format(first, 1)) → \(BenchMeasure.format(last, 1)) MiB",
                         anchor: "peak \(BenchMeasure.format(peak, 1)) MiB", ratio: "\(BenchMeasure.format(slope, 2)) MiB/h fitted",
                         target: target)
    }

    /// The mean of each 2-minute stretch of one measure, so a plateau and a leak look different.
    private static func curve(_ samples: [MemorySample], seconds: Double, _ value: (MemorySample) -> Double) -> String {
        var curve: [String] = []
        var start = 0.0
        while start < seconds {
            let stretch = samples.filter { $0.seconds >= start && $0.seconds < start + 120 }.map(value)
            if !stretch.isEmpty { curve.append(BenchMeasure.format(stretch.reduce(0, +) / Double(stretch.count), 1)) }
            start += 120
        }
        return curve.joined(separator: " ")
    }

    private func report(seconds: Double, samples: [MemorySample], warehouse: String, exit: Int32,
                        tokens: [(String, Int)], feedRows: Int, pbiEvents: Int, citrixSessions: Int, ws1Downloads: Int) throws {
        let db = try SoakReader(warehouse)
        let perExpiry = Double(Self.tokenLifetime - 60)
        let allowed = Int((seconds / perExpiry).rounded(.up)) + 1
        // Memory after the first two minutes (first loads, caches) against the end, and the fitted slope.
        print("soak: RSS by 2-minute stretch (MiB): " + Self.curve(samples, seconds: seconds, \.rss))
        print("soak: anonymous (heap, stacks): " + Self.curve(samples, seconds: seconds, \.anonymous))
        print("soak: file-backed (code pages): " + Self.curve(samples, seconds: seconds, \.file))
        var lines: [BenchLine] = [
            Self.memoryLine("RSS", samples, \.rss, target: "flat"),
            Self.memoryLine("anonymous memory (heap, stacks)", samples, \.anonymous, target: "flat: what a leak grows"),
            Self.memoryLine("file-backed memory (code pages of the binary and libraries)", samples, \.file,
                            target: "grows as code paths are first used"),
        ]
        for (name, count) in tokens {
            lines.append(BenchLine(name: "token requests, \(name)", figure: "\(count)", anchor: "lifetime \(Self.tokenLifetime) s, \(Int(seconds)) s run",
                                   ratio: "at most \(allowed)", target: count <= allowed ? "met" : "NOT met"))
        }
        let runs = db.rows("SELECT status, count(*) FROM sluice_runs GROUP BY status ORDER BY status")
        lines.append(BenchLine(name: "runs by status", figure: runs.map { "\($0[0]) \($0[1])" }.joined(separator: ", "),
                               anchor: "daemon exit \(exit)", ratio: "", target: "none left running"))
        // Snapshot runs: rows_written is exactly the rows of the snapshots the run committed (0 when it failed).
        let wrong = db.rows("""
            SELECT r.run_id, r.status, r.rows_written, (SELECT sum(rows) FROM sluice_snapshots s WHERE s.run_id = r.run_id)
            FROM sluice_runs r WHERE r.job = 'soak-ws1' AND r.status <> 'running'
            """).filter { $0[1] != "cancelled" && ($0[3] == "NULL" ? "0" : $0[3]) != $0[2] }
        // A snapshot that keep_snapshots pruned has no row left to compare with: those runs are counted apart.
        let pruned = wrong.filter { $0[3] == "NULL" && $0[1] == "succeeded" }
        let mismatched = wrong.filter { $0[3] != "NULL" || $0[1] != "succeeded" }
        lines.append(BenchLine(name: "WS1 runs whose rows_written ≠ rows of their kept snapshot", figure: "\(mismatched.count)",
                               anchor: "\(pruned.count) runs' snapshots pruned by keep_snapshots: 5", ratio: "",
                               target: mismatched.isEmpty ? "met" : "NOT met: \(mismatched.prefix(3))"))
        // Upsert runs: never fewer rows counted than the rows the run was the last to change.
        let undercounted = db.rows("""
            SELECT r.run_id FROM sluice_runs r
            WHERE r.job = 'soak-feed' AND r.rows_written < (SELECT count(*) FROM soak_feed f WHERE f._sluice_run_id = r.run_id)
            """)
        lines.append(BenchLine(name: "feed runs counting fewer rows than they changed", figure: "\(undercounted.count)", anchor: "", ratio: "",
                               target: undercounted.isEmpty ? "met" : "NOT met"))
        let tables: [(String, String, Int)] = [("feed rows", "SELECT count(*) FROM soak_feed", feedRows),
                                               ("Power BI events", "SELECT count(*) FROM soak_pbi", pbiEvents),
                                               ("Citrix sessions", "SELECT count(*) FROM citrix_sessions", citrixSessions)]
        for (name, sql, expected) in tables {
            let have = Int(db.rows(sql).first?.first ?? "") ?? -1
            lines.append(BenchLine(name: "\(name) in the warehouse", figure: "\(have)", anchor: "emulator: \(expected)", ratio: "",
                                   target: have == expected ? "exact" : "differs (a run may have been cut off at the end)"))
        }
        lines.append(BenchLine(name: "WS1 snapshots loaded", figure: db.rows("SELECT count(*) FROM sluice_snapshots").first?.first ?? "?",
                               anchor: "downloads offered: \(ws1Downloads) (keep 5)", ratio: "", target: ""))
        Task { await BenchTable.shared.report("Soak: four sources, short schedules, faults at 2%, \(Int(seconds)) s", lines) }
        for line in lines { print("  \(line.name): \(line.figure) (\(line.anchor)) \(line.ratio) \(line.target)") }
    }

    /// Least-squares slope of (t, y).
    static func slope(_ points: [(Double, Double)]) -> Double {
        guard points.count > 1 else { return 0 }
        let n = Double(points.count)
        let mx = points.map(\.0).reduce(0, +) / n, my = points.map(\.1).reduce(0, +) / n
        let num = points.map { ($0.0 - mx) * ($0.1 - my) }.reduce(0, +)
        let den = points.map { ($0.0 - mx) * ($0.0 - mx) }.reduce(0, +)
        return den == 0 ? 0 : num / den
    }
}

/// Read-only queries on the soaked warehouse.
final class SoakReader {
    private var db: OpaquePointer?

    init(_ path: String) throws {
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nil) == SQLITE_OK else {
            throw BenchOptions.UsageError(description: "cannot open \(path)")
        }
    }

    deinit { sqlite3_close(db) }

    func rows(_ sql: String) -> [[String]] {
        var stmt: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &stmt, nil) == SQLITE_OK else { return [["error: " + String(cString: sqlite3_errmsg(db))]] }
        defer { sqlite3_finalize(stmt) }
        var out: [[String]] = []
        while sqlite3_step(stmt) == SQLITE_ROW {
            out.append((0..<sqlite3_column_count(stmt)).map { c in
                sqlite3_column_text(stmt, c).map { String(cString: $0) } ?? "NULL"
            })
        }
        return out
    }
}
