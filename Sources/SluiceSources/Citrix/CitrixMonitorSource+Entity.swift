import Logging
import SluiceCore
import SluiceWire
import SluiceHTTP

extension CitrixMonitorSource {
    /// Reads one entity set: its gaps first (within `budget`), then its windows (or the whole set without a
    /// cursor), page by page.
    func pullEntity(_ plan: CitrixEntityPlan, metadata: CitrixMetadata.EntityType?, request: PullRequest,
                    session: Session, budget: inout RepairBudget,
                    emit: @Sendable (Batch) async throws -> Void) async throws {
        let job = request.job
        let target = try target(for: plan, type: metadata, job: job)
        var assembler = RowAssembler(knownTypes: request.knownColumns[target.table] ?? [:])
        for (name, type) in metadata?.properties ?? [] { assembler.declare(name, as: type) }
        for (field, type) in job.target.columns { assembler.declare(field, as: type) }
        let retention = settings.entities.first { $0.name == plan.name }?.retentionSeconds ?? settings.retentionSeconds
        var reader = EntityReader(plan: plan, target: target, assembler: assembler, session: session,
                                  writesWatermark: request.backfill == nil,
                                  recoverableFor: EpochMillis.from(seconds: retention))
        var unlimited = RepairBudget(limit: nil)

        guard let cursor = plan.cursor else {
            if request.repairOnly { return }
            var unordered: WindowOrder?
            let moment = EpochMillis.from(seconds: request.now)
            try await reader.readChain(firstURL: CitrixQuery.url(apiBase: settings.apiBase, entity: plan.name,
                                                                 cursor: nil, window: nil),
                                       order: &unordered, span: (moment, moment), budget: &unlimited, emit: emit)
            log(plan, pages: reader.page, rows: reader.rows, windows: 1)
            return
        }
        let stored = request.state[StateKey.watermark(plan.name)]
        let storedWatermark = stored.flatMap { text in Timestamps.epochSeconds(text).map { (text: text, epoch: $0) } }
        if request.backfill == nil {
            let repairs = Self.repairWindows(request.repairs(of: target.table), retention: retention, now: request.now,
                                             window: settings.windowSeconds)
            reader.writesWatermark = false
            for window in repairs {
                guard budget.allowsAnother else {
                    context.logger.notice("repair budget spent; the rest of the gaps are re-pulled by the next run",
                                          metadata: ["citrix.entity": "\(plan.name)", "run.repair_requests": "\(budget.spent)"])
                    break
                }
                reader.watermark = nil
                try await reader.readWindow(window, url: CitrixQuery.url(apiBase: settings.apiBase, entity: plan.name,
                                                                         cursor: cursor, window: window),
                                            budget: &budget, emit: emit)
            }
            reader.writesWatermark = true
            if request.repairOnly {
                log(plan, pages: reader.page, rows: reader.rows, windows: repairs.count)
                return
            }
        }
        let windows: [CitrixWindow]
        if let backfill = request.backfill {
            windows = CitrixWindowPlanner.backfill(backfill, window: settings.windowSeconds)
        } else {
            reader.watermark = storedWatermark
            windows = CitrixWindowPlanner.live(watermark: reader.watermark?.epoch, now: request.now,
                                               lookback: settings.lookbackSeconds,
                                               initialLookback: settings.initialLookbackSeconds,
                                               window: settings.windowSeconds)
        }
        for window in windows {
            try await reader.readWindow(window, url: CitrixQuery.url(apiBase: settings.apiBase, entity: plan.name,
                                                                     cursor: cursor, window: window),
                                        budget: &unlimited, emit: emit)
        }
        log(plan, pages: reader.page, rows: reader.rows, windows: windows.count)
    }

    /// The query windows that re-pull `gaps`, oldest first, leaving out what the service no longer keeps.
    static func repairWindows(_ gaps: [CoverageGap], retention: Double, now: Double, window: Double) -> [CitrixWindow] {
        let oldest = EpochMillis.from(seconds: now - retention) + CoverageGaps.safetyMargin
        return gaps.sorted { $0.start < $1.start }.flatMap { gap -> [CitrixWindow] in
            let from = max(gap.start, oldest)
            guard from < gap.end else { return [] }
            return CitrixWindowPlanner.split(from: EpochMillis.floorDivide(from, 1000).quotient,
                                             to: -EpochMillis.floorDivide(-gap.end, 1000).quotient, window: window)
        }
    }

    private func log(_ plan: CitrixEntityPlan, pages: Int, rows: Int, windows: Int) {
        context.logger.info("entity set read", metadata: [
            "citrix.entity": "\(plan.name)", "run.pages": "\(pages)", "db.rows": "\(rows)", "citrix.windows": "\(windows)"])
    }
}

/// Reads the pages of one entity set and decides each page's checkpoint.
struct EntityReader {
    let plan: CitrixEntityPlan
    let target: TableTarget
    var assembler: RowAssembler
    let session: CitrixMonitorSource.Session
    var writesWatermark: Bool
    /// How long the service keeps the set's rows (milliseconds), for the coverage ledger.
    let recoverableFor: Int64
    /// The largest cursor value committed so far (source text and instant).
    var watermark: (text: String, epoch: Double)?
    /// The watermark last handed to the warehouse.
    private var checkpointed: String?
    private(set) var page = 0
    private(set) var rows = 0

    init(plan: CitrixEntityPlan, target: TableTarget, assembler: RowAssembler, session: CitrixMonitorSource.Session,
         writesWatermark: Bool, recoverableFor: Int64) {
        self.plan = plan
        self.target = target
        self.assembler = assembler
        self.session = session
        self.writesWatermark = writesWatermark
        self.recoverableFor = recoverableFor
    }

    /// One window's chain. While pages arrive in cursor order the watermark follows the largest committed
    /// value; after any disorder it stays at the window's starting value until the chain is finished.
    mutating func readWindow(_ window: CitrixWindow, url: String, budget: inout RepairBudget,
                             emit: @Sendable (Batch) async throws -> Void) async throws {
        var order: WindowOrder? = WindowOrder(atStart: watermark?.text)
        try await readChain(firstURL: url, order: &order, span: (window.from * 1000, window.to * 1000), budget: &budget,
                            emit: emit)
        if writesWatermark, let final = watermark?.text, final != checkpointed {
            try await emit(Batch(target: target, columns: [], rows: [], checkpoint: [key: final],
                                 origin: "end of \(window) of \(plan.name)"))
            checkpointed = final
        }
    }

    /// Follows one `@odata.nextLink` chain. With `order` (a window of a cursor set) each page carries the
    /// watermark; without it (a set re-read whole) pages carry no checkpoint. Every page carries the coverage
    /// of `span` (milliseconds), complete on the page without a next link. Stops at a page boundary when
    /// `budget` is spent.
    mutating func readChain(firstURL: String, order: inout WindowOrder?, span: (start: Int64, end: Int64),
                            budget: inout RepairBudget, emit: @Sendable (Batch) async throws -> Void) async throws {
        var next: String? = firstURL
        var followed = Set<String>()
        var chainPages = 0
        var chainRows = 0
        while let url = next, budget.allowsAnother {
            budget.spend()
            page += 1
            chainPages += 1
            let step = "page \(page) of \(plan.name)"
            guard chainPages <= Self.maxPagesPerChain else {
                throw SluiceError(.badResponse, step: step, "the @odata.nextLink chain did not end after \(Self.maxPagesPerChain) pages")
            }
            let response = try await session.get(url, step: step)
            let parsed = try CitrixPage.parse(response.body, step: step)
            var state: [String: String] = [:]
            if order != nil, let cursor = plan.cursor {
                for object in parsed.rows {
                    guard let text = object[cursor]?.stringValue, let t = Timestamps.epochSeconds(text) else { continue }
                    order?.see(t)
                    if watermark.map({ t > $0.epoch }) ?? true { watermark = (text, t) }
                }
                let mark = order?.inOrder == true ? watermark?.text : order?.atStart
                if writesWatermark, let mark {
                    state[key] = mark
                    checkpointed = mark
                }
            }
            let (columns, values) = try assembler.assemble(parsed.rows, origin: step)
            chainRows += values.count
            let mark = CoverageMark(table: target.table, start: span.start, end: span.end,
                                    status: parsed.nextLink == nil ? .complete : .partial, pages: chainPages,
                                    rows: chainRows, recoverableFor: recoverableFor)
            try await emit(Batch(target: target, columns: columns, rows: values, checkpoint: state, origin: step,
                                 bytes: response.body.count, coverage: mark))
            rows += values.count
            if let link = parsed.nextLink {
                let resolved = URLParts(response.url.isEmpty ? url : response.url)?.resolve(link) ?? link
                try session.fetcher.checkLink(resolved, configuredBase: session.apiBase, step: step)
                guard resolved != url, followed.insert(resolved).inserted else {
                    throw SluiceError(.badResponse, step: step,
                                      "the @odata.nextLink points at a page already read (\(Redactor.safeURL(resolved))); "
                                          + "following it would read the same pages for ever")
                }
                next = resolved
            } else {
                next = nil
            }
        }
    }

    private var key: String { CitrixMonitorSource.StateKey.watermark(plan.name) }

    /// The most pages one `@odata.nextLink` chain may have (100 million rows at 1,000 per page).
    static let maxPagesPerChain = 100_000
}

/// Whether a window's pages have so far arrived in ascending cursor order.
struct WindowOrder {
    /// The watermark when the window started: what stays committed while the order is broken.
    let atStart: String?
    private(set) var inOrder = true
    private var lastSeen = -Double.infinity

    init(atStart: String?) { self.atStart = atStart }

    mutating func see(_ t: Double) {
        if t < lastSeen { inOrder = false }
        lastSeen = max(lastSeen, t)
    }
}
