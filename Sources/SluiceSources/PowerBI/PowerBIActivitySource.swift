import Logging
package import SluiceCore
import SluiceWire
import SluiceHTTP

/// Pulls the Power BI admin activity log (Get Activity Events) into one table of events, upserted by `Id`.
///
/// One run: an Entra ID v2.0 client-credentials token, then one request chain per UTC-day window (see
/// ``ActivityWindowPlanner``): the dated first request, then only the continuation until the chain ends
/// (``ActivityEventsRequests``). Every page commits its rows; the last page of a window also moves the
/// checkpoint `window_done_through` to the window's end, so a window cut off half-way is pulled again whole
/// next time (upsert keeps that exact). Backfills pull their days without touching the checkpoint.
///
/// The API allows 200 requests per hour, so every request first takes a token from a client-side bucket in the
/// runner's registry, keyed by the job's ``BudgetScope`` (its `tenant:` with authority, Entra tenant and client):
/// shared by every run and job of the same tenant and client in this process (`http.rate_limit` overrides the 200/h).
package struct PowerBIActivitySource: Source {
    /// `sluice_state` keys this source writes.
    package enum StateKey {
        /// End instant (normalised UTC text, milliseconds) of the last window whose chain ended.
        package static let windowDoneThrough = "window_done_through"
    }

    /// The table when the job file names none.
    package static let defaultTable = "powerbi_activity_events"
    /// The documented limit.
    package static let defaultRateLimit = RateLimit(requests: 200, perSeconds: 3600)
    /// A chain longer than this is a server that never stops handing out tokens.
    static let maxPagesPerWindow = 10_000

    let settings: PowerBISettings
    let context: SourceContext

    package init(settings: PowerBISettings, context: SourceContext) {
        self.settings = settings
        self.context = context
    }

    package func pull(_ request: PullRequest, emit: @Sendable (Batch) async throws -> Void) async throws -> PullOutcome {
        let job = request.job
        let target = TableTarget(table: job.target.table ?? Self.defaultTable, mode: job.target.mode ?? .upsert,
                                 primaryKey: job.target.primaryKey.isEmpty ? ["Id"] : job.target.primaryKey,
                                 columnTypes: job.target.columns)
        guard target.mode == .upsert else {
            throw SluiceError(.config, job: job.name, step: "target",
                              "powerbi-activity loads in upsert mode only (got '\(target.mode.rawValue)')")
        }
        let endpoints = try PowerBIEndpoints(settings)
        var windows = try plan(request)
        let tenant = try context.secrets.resolve(settings.tenantID, job: job.name, key: "tenant_id")
        let clientID = try context.secrets.resolve(settings.clientID, job: job.name, key: "client_id")
        let secret = try context.secrets.resolve(settings.clientSecret, job: job.name, key: "client_secret")
        let credentials = OAuthClientCredentials(tokenURL: endpoints.tokenURL(tenant: tenant), clientID: clientID,
                                                 clientSecret: secret, style: .formBodyWithScope(endpoints.scope),
                                                 redactor: .shared)
        let tokens = credentials.authorizer(fetcher: context.fetcher, caches: context.tokens)
        let scope = BudgetScope.powerBI(job, authority: endpoints.authority, tenantID: tenant, clientID: clientID)
        let limiter = context.rateLimiters.limiter(for: scope.key,
                                                limit: job.http.rateLimit ?? Self.defaultRateLimit)
        let requests = ActivityEventsRequests(endpoints: endpoints, filter: settings.filter,
                                              continuationHosts: settings.continuationHosts)
        var run = ActivityRun(target: target, requests: requests, limiter: limiter, tokens: tokens,
                              assembler: Self.assembler(known: request.knownColumns[target.table] ?? [:],
                                                        overrides: job.target.columns),
                              doneThrough: request.backfill == nil ? Self.checkpointMillis(request.state) : nil,
                              coverage: request.coverage.filter { $0.table == target.table && $0.status == .complete })
        if request.backfill == nil {
            let repairs = Self.repairWindows(request.repairs(of: target.table), nowMillis: Self.millis(request.now))
            var budget = RepairBudget(limit: request.repairBudget)
            var repaired: [ActivityWindow] = []
            for window in repairs {
                guard budget.allowsAnother else {
                    context.logger.notice("repair budget spent; the rest of the gaps are re-pulled by the next run",
                                          metadata: ["job.name": "\(job.name)", "run.repair_requests": "\(budget.spent)"])
                    break
                }
                if try await read(window, run: &run, advancesCheckpoint: false, budget: &budget, emit: emit) {
                    repaired.append(window)
                }
            }
            if !repairs.isEmpty {
                context.logger.info("repaired gaps", metadata: [
                    "job.name": "\(job.name)", "run.repair_windows": "\(repairs.count)", "run.repair_requests": "\(budget.spent)"])
            }
            if request.repairOnly { return .completed }
            // A live window the repairs just read whole is not read again (a later window moves the checkpoint
            // past it; when it is the last, the next run reads it as usual).
            windows = windows.filter { live in
                !repaired.contains { $0.startMillis <= live.startMillis && live.endMillis <= $0.endMillis }
            }
        }
        context.logger.debug("planned \(CountText.format(windows.count, "window"))", metadata: [
            "job.name": "\(job.name)", "powerbi.windows": "\(windows.map(\.day).joined(separator: ","))"])
        var unlimited = RepairBudget(limit: nil)
        for window in windows {
            try await read(window, run: &run, advancesCheckpoint: request.backfill == nil, budget: &unlimited, emit: emit)
        }
        return .completed
    }

    /// What the windows of one run share.
    struct ActivityRun {
        let target: TableTarget
        let requests: ActivityEventsRequests
        let limiter: RateLimiter
        let tokens: CachedTokenAuthorizer
        var assembler: RowAssembler
        /// The checkpoint as this run has moved it.
        var doneThrough: Int64?
        /// The table's complete windows, to count only the rows a widening read adds.
        let coverage: [CoverageRow]
    }

    /// Reads one window's chain, each page a batch with its coverage mark; the last page of a live window also
    /// moves the checkpoint. Stops at a page boundary when `budget` is spent (the window stays partial).
    /// Returns whether the chain ended.
    @discardableResult
    func read(_ window: ActivityWindow, run: inout ActivityRun, advancesCheckpoint: Bool, budget: inout RepairBudget,
              emit: @Sendable (Batch) async throws -> Void) async throws -> Bool {
        var url = run.requests.firstPageURL(window)
        var followed = Set<String>()
        var page = 0
        var served = 0
        // A read that starts inside a complete window of its day counts only the events after that window.
        let countFrom = run.coverage.first {
            EpochMillis.dayStart($0.start) == EpochMillis.dayStart(window.startMillis)
                && $0.start < window.startMillis && window.startMillis <= $0.end
        }?.end
        while budget.allowsAnother {
            page += 1
            budget.spend()
            let step = "page \(page) of activity events \(window.day)"
            guard page <= Self.maxPagesPerWindow else {
                throw SluiceError(.badResponse, step: step,
                                  "the continuation chain did not end after \(Self.maxPagesPerWindow) pages")
            }
            try await run.limiter.acquire()
            let response = try await context.fetcher.send(
                .get(url, headers: [HTTPHeader("Accept", "application/json")], step: step), authorizer: run.tokens)
            let parsed = try ActivityEventsPage.parse(response.body, step: step)
            let next = try run.requests.next(after: parsed, step: step)
            let (columns, rows) = try run.assembler.assemble(parsed.events, origin: step)
            served += countFrom.map { from in parsed.events.count { Self.creationMillis($0).map { $0 >= from } ?? true } }
                ?? parsed.events.count
            var checkpoint: [String: String] = [:]
            if next == .done, advancesCheckpoint {
                // Never backwards: late arrival can make the first window end before the stored checkpoint.
                let through = max(run.doneThrough ?? window.endMillis, window.endMillis)
                run.doneThrough = through
                checkpoint[StateKey.windowDoneThrough] = Self.checkpointText(through)
            }
            let mark = CoverageMark(table: run.target.table, start: window.startMillis, end: window.endMillis + 1,
                                    status: next == .done ? .complete : .partial, pages: page, rows: served,
                                    joinsDay: true, recoverableFor: ActivityWindowPlanner.retentionMillis)
            try await emit(Batch(target: run.target, columns: columns, rows: rows, checkpoint: checkpoint,
                                 origin: step, bytes: response.body.count, coverage: mark))
            guard case .fetch(let nextURL) = next else { return true }
            guard followed.insert(nextURL).inserted else {
                throw SluiceError(.badResponse, step: step,
                                  "the API answered with a continuation it had already given; following it would "
                                      + "read the same pages for ever")
            }
            url = nextURL
        }
        return false
    }

    /// The UTC-day windows that re-pull `gaps`, oldest first, leaving out what the API no longer serves.
    static func repairWindows(_ gaps: [CoverageGap], nowMillis: Int64) -> [ActivityWindow] {
        let oldest = nowMillis - ActivityWindowPlanner.retentionMillis + CoverageGaps.safetyMargin
        return gaps.sorted { $0.start < $1.start }.flatMap { gap -> [ActivityWindow] in
            let from = max(gap.start, oldest)
            let through = min(gap.end - 1, nowMillis)
            guard from <= through else { return [] }
            return ActivityWindowPlanner.windows(from: from, nowMillis: through)
        }
    }

    static func creationMillis(_ event: JSONValue) -> Int64? {
        event["CreationTime"]?.stringValue.flatMap(EpochMillis.parse)
    }

    static func millis(_ seconds: Double) -> Int64 { Int64((seconds * 1000).rounded(.down)) }

    /// The windows of this run: the backfill's days, or the live plan from the checkpoint.
    func plan(_ request: PullRequest) throws(SluiceError) -> [ActivityWindow] {
        let now = Self.millis(request.now)
        if let backfill = request.backfill {
            return try ActivityWindowPlanner.backfill(backfill, nowMillis: now)
        }
        return ActivityWindowPlanner.plan(
            checkpointMillis: Self.checkpointMillis(request.state), nowMillis: now,
            lateArrivalMillis: Int64(settings.lateArrivalSeconds * 1000),
            initialLookbackMillis: Int64(settings.initialLookbackSeconds * 1000))
    }

    /// Types of the fields the API documents, unless the warehouse or the job says otherwise.
    static func assembler(known: [String: ColumnType], overrides: [String: ColumnType]) -> RowAssembler {
        var assembler = RowAssembler(knownTypes: known)
        let documented: [(String, ColumnType)] = [
            ("CreationTime", .timestamp), ("IsSuccess", .boolean), ("RecordType", .bigint), ("UserType", .bigint),
        ]
        for (field, type) in documented where known[field] == nil { assembler.declare(field, as: type) }
        for (field, type) in overrides { assembler.declare(field, as: type) }
        return assembler
    }

    static func checkpointMillis(_ state: [String: String]) -> Int64? {
        state[StateKey.windowDoneThrough].flatMap(Timestamps.epochSeconds).map { Int64(($0 * 1000).rounded()) }
    }

    static func checkpointText(_ millis: Int64) -> String {
        let (seconds, ms) = ActivityWindowPlanner.floorDivide(millis, 1000)
        return Timestamps.format(epochSecond: seconds, millis: Int(ms))
    }
}
