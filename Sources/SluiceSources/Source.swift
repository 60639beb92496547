package import Logging
package import SluiceCore
package import SluiceHTTP

/// Something that, given its checkpoint, produces batches in order, each carrying the checkpoint that becomes
/// true once the warehouse has committed it.
///
/// Sources know HTTP and their API; they never touch SQLite. The runner hands every batch to the warehouse
/// before asking for the next, so a source may simply loop: fetch a page, `emit` it, fetch the next.
package protocol Source: Sendable {
    /// Pulls everything new since `request.state`, handing each batch to `emit` in order.
    func pull(_ request: PullRequest, emit: @Sendable (Batch) async throws -> Void) async throws -> PullOutcome
}

/// What a pull should cover.
package struct PullRequest: Sendable {
    package var job: JobDefinition
    /// The job's checkpoint keys from `sluice_state`.
    package var state: [String: String]
    package var trigger: RunTrigger
    /// For `sluice backfill`: whole UTC days to re-pull; nil for a normal run.
    package var backfill: DayRange?
    /// Seconds since the epoch at the start of the run.
    package var now: Double
    /// Columns the warehouse already has, by table and source name, so a column whose values are all null in
    /// a page is still written (and cleared on update).
    package var knownColumns: [String: [String: ColumnType]]
    /// The job's coverage ledger, so a read that widens a window counts the rows it adds, not the ones it
    /// reads again.
    package var coverage: [CoverageRow]
    /// Gaps to re-pull before anything else, oldest first (none in a backfill of days).
    package var repairs: [CoverageGap]
    /// The most requests the repairs may take; nil: as many as they need (`sluice backfill --gaps`).
    package var repairBudget: Int?
    /// Only the repairs: no new data, no checkpoint moves (`sluice backfill --gaps`).
    package var repairOnly: Bool

    package init(job: JobDefinition, state: [String: String], trigger: RunTrigger, backfill: DayRange? = nil,
                now: Double, knownColumns: [String: [String: ColumnType]] = [:], coverage: [CoverageRow] = [],
                repairs: [CoverageGap] = [], repairBudget: Int? = nil, repairOnly: Bool = false) {
        self.job = job
        self.state = state
        self.trigger = trigger
        self.backfill = backfill
        self.now = now
        self.knownColumns = knownColumns
        self.coverage = coverage
        self.repairs = repairs
        self.repairBudget = repairBudget
        self.repairOnly = repairOnly
    }

    /// The repairs of `table`, oldest first.
    package func repairs(of table: String) -> [CoverageGap] { repairs.filter { $0.table == table } }
}

/// Counts the requests a run spends on repairs against its budget.
package struct RepairBudget: Sendable {
    package private(set) var spent = 0
    package let limit: Int?

    package init(limit: Int?) { self.limit = limit }

    /// Whether one more request fits.
    package var allowsAnother: Bool { limit.map { spent < $0 } ?? true }

    package mutating func spend() { spent += 1 }
}

/// How a pull ended when it did not throw.
package enum PullOutcome: Sendable, Equatable {
    /// Everything new was emitted (possibly nothing).
    case completed
    /// The source knows up front that nothing changed (the WS1 download already loaded).
    case unchanged
}

/// What every source needs from the outside world: HTTP, secrets, a logger, and the process's rate limiters.
package struct SourceContext: Sendable {
    package var fetcher: HTTPFetcher
    package var secrets: SecretResolver
    package var logger: Logger
    /// Token buckets that outlive a run (the runner's), so a source can share an API budget across runs and
    /// jobs (Power BI's 200 requests/hour per tenant and client).
    package var rateLimiters: RateLimiterRegistry
    /// OAuth tokens that outlive a run (the runner's): one per credential, fetched again only near expiry.
    package var tokens: TokenCaches

    package init(fetcher: HTTPFetcher, secrets: SecretResolver, logger: Logger, rateLimiters: RateLimiterRegistry,
                tokens: TokenCaches = TokenCaches()) {
        self.fetcher = fetcher
        self.secrets = secrets
        self.logger = logger
        self.rateLimiters = rateLimiters
        self.tokens = tokens
    }
}
