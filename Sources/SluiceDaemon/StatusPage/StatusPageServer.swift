import Foundation
package import Logging
package import SluiceCore

/// What `GET /` and `GET /api/status` on the metrics address answer: the status page and the JSON of
/// `sluice status --json`, both read from the warehouse at request time.
package struct StatusPageServer: Sendable {
    let state: DaemonState
    let warehouse: any Warehouse
    /// The warehouse as `sluice status --json` names it (its path).
    let warehouseName: String
    let warningSeconds: Double
    /// "sluice 0.10.0", in the footer.
    let product: String
    let logger: Logger

    package init(state: DaemonState, warehouse: any Warehouse, warehouseName: String, warningSeconds: Double,
                product: String, logger: Logger) {
        self.state = state
        self.warehouse = warehouse
        self.warehouseName = warehouseName
        self.warningSeconds = warningSeconds
        self.product = product
        self.logger = logger
    }

    /// `Content-Security-Policy` for a page whose only inline content is the stylesheet carrying `nonce`.
    static func policy(nonce: String) -> String {
        "default-src 'none'; style-src 'nonce-\(nonce)'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
            + "frame-ancestors 'none'"
    }

    /// The page's HTML and the nonce its policy allows.
    func page(now: Double = WallClock.epochNow()) async throws -> (html: String, nonce: String) {
        let jobs = state.jobs
        let statuses = try await JobStatus.collect(jobs: jobs, warehouse: warehouse, now: now)
        var runs: [String: [RunRecord]] = [:]
        var coverage: [String: [CoverageRow]] = [:]
        for job in jobs {
            runs[job.name] = try await warehouse.recentRuns(job: job.name, limit: 300)
            coverage[job.name] = try await warehouse.coverage(job: job.name)
        }
        let model = StatusPageModel.build(statuses: statuses, runs: runs, coverage: coverage, progress: state.progress,
                                          brokenFiles: state.brokenFiles,
                                          warningSeconds: warningSeconds, now: now)
        let nonce = Self.nonce()
        return (StatusPageHTML.render(model, product: product, nonce: nonce), nonce)
    }

    /// The JSON of `sluice status --json`.
    func statusJSON(now: Double = WallClock.epochNow()) async throws -> String {
        let statuses = try await JobStatus.collect(jobs: state.jobs, warehouse: warehouse, now: now)
        return StatusDocument.text(warehouse: warehouseName, statuses: statuses, brokenFiles: state.brokenFiles)
    }

    /// 128 random bits as hex: a fresh nonce per response.
    static func nonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in String(generator.next() as UInt64, radix: 16) }.joined()
    }
}
