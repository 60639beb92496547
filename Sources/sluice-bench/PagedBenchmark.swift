import Foundation
import SluiceCore
import SluiceEmulators
import SluiceDaemon

/// Citrix Monitor and Power BI activity emulators answering each page after 20 ms: a whole run's wall time
/// against the time the emulator spends serving (20 ms per page plus its own work, measured by
/// ``ServingClock`` around every handler, token requests included).
///
/// Overlap is what keeps the ratio near 1: the source fetches page N+1 while the runner writes page N.
struct PagedBenchmark {
    let options: BenchOptions
    static let delay = Duration.milliseconds(20)

    func run() async throws {
        let cleanup = try options.makeDirectory()
        defer { cleanup() }
        let pages = options.pages ?? 500
        // Each source's line is printed as soon as it is measured.
        let citrix = try await citrixRun(pages: pages)
        await report([citrix])
        let powerBI = try await powerBIRun(pages: pages)
        await report([powerBI])
    }

    private func report(_ runs: [(String, (seconds: Double, requests: Int), Int, Double)]) async {
        await BenchTable.shared.report("Paged sources, 20 ms per page", runs.map { name, serving, rows, seconds in
            let delays = Double(serving.requests) * 0.020
            return BenchLine(name: "\(name): \(serving.requests) requests, \(BenchMeasure.grouped(rows)) rows",
                             figure: BenchMeasure.format(seconds) + " s",
                             anchor: "serving " + BenchMeasure.format(serving.seconds) + " s (of which "
                                 + BenchMeasure.format(delays) + " s the 20 ms delays)",
                             ratio: BenchMeasure.ratio(seconds / serving.seconds), target: "≤ 1.2×")
        })
    }

    private func citrixRun(pages: Int) async throws -> (String, (seconds: Double, requests: Int), Int, Double) {
        let secret = "bench-" + UUID().uuidString
        let pageSize = 100
        let emulator = CitrixMonitorEmulator(.init(
            customerID: "bench-customer", clientID: "bench-client", clientSecret: secret,
            rowCounts: ["Sessions": pages * pageSize], anchor: Date().addingTimeInterval(-60), rowInterval: .seconds(1),
            pageSize: pageSize, holdTime: Self.delay))
        let clock = ServingClock()
        let (report, seconds) = try await EmulatorServer.withRunning(WrappedEmulator(inner: emulator, middleware: ServingTimer(clock: clock))) { url in
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
        return ("Citrix Monitor (Sessions, pages of \(pageSize))", clock.reading, report.rowsWritten, seconds)
    }

    private func powerBIRun(pages: Int) async throws -> (String, (seconds: Double, requests: Int), Int, Double) {
        let secret = "bench-" + UUID().uuidString
        let pageSize = 100
        // A one-day lookback reads one day's worth of events, whatever the time of day: `pages` full pages.
        let emulator = PowerBIActivityEmulator(.init(
            tenantID: "bench-tenant", clientID: "bench-client", clientSecret: secret, dayCount: 2,
            eventsPerDay: pages * pageSize, pageSize: pageSize))
        emulator.faults.setDelay(Self.delay)
        let clock = ServingClock()
        let (report, seconds) = try await EmulatorServer.withRunning(WrappedEmulator(inner: emulator, middleware: ServingTimer(clock: clock))) { url in
            let job = JobDefinition(
                name: "bench-powerbi", file: "bench", schedule: .every(seconds: 3600), target: TargetSettings(),
                // The source's default bucket is the real API's 200 requests/hour; 500 pages would wait on it.
                http: HTTPSettings(rateLimit: RateLimit(requests: 1_000_000, perSeconds: 1)),
                source: .powerBIActivity(PowerBISettings(
                    authority: url, apiBase: url + PowerBIActivityEmulator.apiPath, tenantID: .env("BENCH_TENANT"),
                    clientID: .env("BENCH_ID"), clientSecret: .env("BENCH_SECRET"), initialLookbackSeconds: 86_400)))
            return try await BenchMeasure.seconds {
                try await BenchRun.run(job, warehouse: options.directory + "/powerbi.db",
                                       environment: ["BENCH_TENANT": "bench-tenant", "BENCH_ID": "bench-client", "BENCH_SECRET": secret])
            }
        }
        return ("Power BI activity events (pages of \(pageSize))", clock.reading, report.rowsWritten, seconds)
    }
}
