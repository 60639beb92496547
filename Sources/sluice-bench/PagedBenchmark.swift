import Foundation
import SluiceCore
import SluiceEmulators

/// Citrix Monitor and Power BI activity emulators answering each page after 20 ms: a whole run's wall time
/// against the time the emulator spends serving (requests × 20 ms).
///
/// The anchor leaves out the emulator's own per-request work, so it is a lower bound on serving time and the
/// ratio is on the strict side. Overlap is what keeps the ratio near 1: the source fetches page N+1 while the
/// runner writes page N.
struct PagedBenchmark {
    let options: BenchOptions
    static let delay = Duration.milliseconds(20)

    func run() async throws {
        let cleanup = try options.makeDirectory()
        defer { cleanup() }
        let pages = options.pages ?? 500
        let citrix = try await citrixRun(pages: pages)
        let powerBI = try await powerBIRun(pages: pages)
        let delaySeconds = 0.020
        await BenchTable.shared.report("Paged sources, 20 ms per page", [citrix, powerBI].map { name, requests, rows, seconds in
            let serving = Double(requests) * delaySeconds
            return BenchLine(name: "\(name): \(requests) requests, \(BenchMeasure.grouped(rows)) rows",
                             figure: BenchMeasure.format(seconds) + " s",
                             anchor: "serving " + BenchMeasure.format(serving) + " s (requests × 20 ms)",
                             ratio: BenchMeasure.ratio(seconds / serving), target: "≤ 1.2×")
        })
    }

    private func citrixRun(pages: Int) async throws -> (String, Int, Int, Double) {
        let secret = "bench-" + UUID().uuidString
        let pageSize = 100
        let emulator = CitrixMonitorEmulator(.init(
            customerID: "bench-customer", clientID: "bench-client", clientSecret: secret,
            rowCounts: ["Sessions": pages * pageSize], anchor: Date().addingTimeInterval(-60), rowInterval: .seconds(1),
            pageSize: pageSize, holdTime: Self.delay))
        let (report, seconds) = try await EmulatorServer.withRunning(emulator) { url in
            let job = JobDefinition(
                name: "bench-citrix", file: "bench", schedule: .every(seconds: 3600), target: TargetSettings(),
                source: .citrixMonitor(CitrixSettings(
                    apiBase: url, tokenURL: CitrixMonitorEmulator.tokenURL(forAPIBase: url),
                    customerID: .env("BENCH_CUSTOMER"), clientID: .env("BENCH_ID"), clientSecret: .env("BENCH_SECRET"),
                    entities: [CitrixEntity(name: "Sessions")], initialLookbackSeconds: 2 * 86_400,
                    windowSeconds: 3 * 86_400)))
            return try await BenchMeasure.seconds {
                try await BenchRun.run(job, warehouse: options.directory + "/citrix.db",
                                       environment: ["BENCH_CUSTOMER": "bench-customer", "BENCH_ID": "bench-client", "BENCH_SECRET": secret])
            }
        }
        return ("Citrix Monitor (Sessions, pages of \(pageSize))", emulator.journal.requestCount, report.rowsWritten, seconds)
    }

    private func powerBIRun(pages: Int) async throws -> (String, Int, Int, Double) {
        let secret = "bench-" + UUID().uuidString
        let pageSize = 100
        // A one-day lookback reads one day's worth of events, whatever the time of day: `pages` full pages.
        let emulator = PowerBIActivityEmulator(.init(
            tenantID: "bench-tenant", clientID: "bench-client", clientSecret: secret, dayCount: 2,
            eventsPerDay: pages * pageSize, pageSize: pageSize))
        emulator.faults.setDelay(Self.delay)
        let (report, seconds) = try await EmulatorServer.withRunning(emulator) { url in
            let job = JobDefinition(
                name: "bench-powerbi", file: "bench", schedule: .every(seconds: 3600), target: TargetSettings(),
                source: .powerBIActivity(PowerBISettings(
                    authority: url, apiBase: url + PowerBIActivityEmulator.apiPath, tenantID: .env("BENCH_TENANT"),
                    clientID: .env("BENCH_ID"), clientSecret: .env("BENCH_SECRET"), initialLookbackSeconds: 86_400)))
            return try await BenchMeasure.seconds {
                try await BenchRun.run(job, warehouse: options.directory + "/powerbi.db",
                                       environment: ["BENCH_TENANT": "bench-tenant", "BENCH_ID": "bench-client", "BENCH_SECRET": secret])
            }
        }
        return ("Power BI activity events (pages of \(pageSize))", emulator.journal.requestCount, report.rowsWritten, seconds)
    }
}
