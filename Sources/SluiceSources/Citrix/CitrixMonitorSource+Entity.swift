import Logging
import SluiceCore
import SluiceWire
import SluiceHTTP

extension CitrixMonitorSource {
    /// Reads one entity set: its windows (or the whole set without a cursor), page by page.
    func pullEntity(_ plan: CitrixEntityPlan, metadata: CitrixMetadata.EntityType?, request: PullRequest,
                    session: Session, emit: @Sendable (Batch) async throws -> Void) async throws {
        let job = request.job
        let target = try target(for: plan, type: metadata, job: job)
        var assembler = RowAssembler(knownTypes: request.knownColumns[target.table] ?? [:])
        for (name, type) in metadata?.properties ?? [] { assembler.declare(name, as: type) }
        for (field, type) in job.target.columns { assembler.declare(field, as: type) }
        var reader = EntityReader(plan: plan, target: target, assembler: assembler, session: session,
                                  writesWatermark: request.backfill == nil)

        guard let cursor = plan.cursor else {
            var unordered: WindowOrder?
            try await reader.readChain(firstURL: CitrixQuery.url(apiBase: settings.apiBase, entity: plan.name,
                                                                 cursor: nil, window: nil), order: &unordered, emit: emit)
            log(plan, pages: reader.page, rows: reader.rows, windows: 1)
            return
        }
        let windows: [CitrixWindow]
        if let backfill = request.backfill {
            windows = CitrixWindowPlanner.backfill(backfill, window: settings.windowSeconds)
        } else {
            let stored = request.state[StateKey.watermark(plan.name)]
            reader.watermark = stored.flatMap { text in Timestamps.epochSeconds(text).map { (text, $0) } }
            windows = CitrixWindowPlanner.live(watermark: reader.watermark?.epoch, now: request.now,
                                               lookback: settings.lookbackSeconds,
                                               initialLookback: settings.initialLookbackSeconds,
                                               window: settings.windowSeconds)
        }
        for window in windows {
            try await reader.readWindow(window, url: CitrixQuery.url(apiBase: settings.apiBase, entity: plan.name,
                                                                     cursor: cursor, window: window),
                                  emit: emit)
        }
        log(plan, pages: reader.page, rows: reader.rows, windows: windows.count)
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
    let writesWatermark: Bool
    /// The largest cursor value committed so far (source text and instant).
    var watermark: (text: String, epoch: Double)?
    /// The watermark last handed to the warehouse.
    private var checkpointed: String?
    private(set) var page = 0
    private(set) var rows = 0

    init(plan: CitrixEntityPlan, target: TableTarget, assembler: RowAssembler, session: CitrixMonitorSource.Session,
         writesWatermark: Bool) {
        self.plan = plan
        self.target = target
        self.assembler = assembler
        self.session = session
        self.writesWatermark = writesWatermark
    }

    /// One window's chain. While pages arrive in cursor order the watermark follows the largest committed
    /// value; after any disorder it stays at the window's starting value until the chain is finished.
    mutating func readWindow(_ window: CitrixWindow, url: String,
                             emit: @Sendable (Batch) async throws -> Void) async throws {
        var order: WindowOrder? = WindowOrder(atStart: watermark?.text)
        try await readChain(firstURL: url, order: &order, emit: emit)
        if writesWatermark, let final = watermark?.text, final != checkpointed {
            try await emit(Batch(target: target, columns: [], rows: [], checkpoint: [key: final],
                                 origin: "end of \(window) of \(plan.name)"))
            checkpointed = final
        }
    }

    /// Follows one `@odata.nextLink` chain. With `order` (a window of a cursor set) each page carries the
    /// watermark; without it (a set re-read whole) pages carry no checkpoint.
    mutating func readChain(firstURL: String, order: inout WindowOrder?,
                            emit: @Sendable (Batch) async throws -> Void) async throws {
        var next: String? = firstURL
        var followed = Set<String>()
        var chainPages = 0
        while let url = next {
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
            try await emit(Batch(target: target, columns: columns, rows: values, checkpoint: state, origin: step,
                                 bytes: response.body.count))
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
