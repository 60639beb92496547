import AsyncAlgorithms
import Logging
package import SluiceCore
import SluiceWire
import SluiceHTTP

/// Pulls a `{ rows, nextCursor, schemaVersion }` JSON feed incrementally by its updated-at field.
///
/// One run: `GET {base_url}/{dataset}?{since_param}={watermark − lookback}&{page_size_param}=N`, then the same
/// with `{cursor_param}={nextCursor}` until `nextCursor` is null. Each page becomes one upsert batch whose
/// checkpoint is the largest `updated_field` value committed so far, so a run cut off after page N resumes
/// from there. New fields (a growing `schemaVersion`) become new columns. The bearer token is static: a 401
/// fails the run with a clear message instead of retrying.
package struct CursorFeedSource: Source {
    /// `sluice_state` keys this source writes.
    package enum StateKey {
        package static let watermark = "watermark"
        package static let schemaVersion = "schema_version"
    }

    let settings: CursorFeedSettings
    let context: SourceContext

    package init(settings: CursorFeedSettings, context: SourceContext) {
        self.settings = settings
        self.context = context
    }

    package func pull(_ request: PullRequest, emit: @Sendable (Batch) async throws -> Void) async throws -> PullOutcome {
        let job = request.job
        let target = TableTarget(
            table: job.target.table ?? job.defaultTable,
            mode: job.target.mode ?? .upsert,
            primaryKey: job.target.primaryKey.isEmpty ? [settings.keyField] : job.target.primaryKey,
            columnTypes: job.target.columns)
        guard target.mode == .upsert else {
            throw SluiceError(.config, job: job.name, step: "target",
                              "cursor-feed loads in upsert mode only (got '\(target.mode.rawValue)')")
        }
        let authorizer: (any Authorizer)? = try settings.token.map {
            StaticBearer(token: try context.secrets.resolve($0, job: job.name, key: "token"))
        }
        var assembler = RowAssembler(knownTypes: request.knownColumns[target.table] ?? [:])
        for (field, type) in job.target.columns { assembler.declare(field, as: type) }
        var feed = FeedRead(job: job.name, target: target, authorizer: authorizer, assembler: assembler,
                            schemaVersion: Int(request.state[StateKey.schemaVersion] ?? ""))
        let runStart = EpochMillis.from(seconds: request.now)

        if let backfill = request.backfill {
            try await read(&feed, since: Timestamps.isoUTC(epochSecond: backfill.startEpoch),
                           until: backfill.endEpoch * 1000, span: .fixed(backfill.startEpoch * 1000, backfill.endEpoch * 1000),
                           maxPages: nil, emit: emit)
            return .completed
        }
        var budget = RepairBudget(limit: request.repairBudget)
        for gap in request.repairs(of: target.table) {
            guard budget.allowsAnother else {
                context.logger.notice("repair budget spent; the rest of the gaps are re-pulled by the next run",
                                      metadata: ["job.name": "\(job.name)", "run.repair_requests": "\(budget.spent)"])
                break
            }
            let pages = try await read(&feed, since: Timestamps.isoUTC(epochSecond: EpochMillis.floorDivide(gap.start, 1000).quotient),
                                       until: gap.end, span: .fixed(gap.start, gap.end),
                                       maxPages: budget.limit.map { $0 - budget.spent }, emit: emit)
            for _ in 0..<pages { budget.spend() }
        }
        if request.repairOnly { return .completed }
        let storedWatermark = request.state[StateKey.watermark]
        feed.watermark = storedWatermark
        let since = storedWatermark.map { sinceValue(watermark: $0) }
        try await read(&feed, since: since, until: nil,
                       span: .live(start: since.flatMap(EpochMillis.parse), runStart: runStart),
                       maxPages: nil, checkpoints: true, emit: emit)
        return .completed
    }

    /// What the reads of one run share.
    struct FeedRead {
        let job: String
        let target: TableTarget
        let authorizer: (any Authorizer)?
        var assembler: RowAssembler
        var schemaVersion: Int?
        /// The largest updated-at value committed by the live read.
        var watermark: String?
    }

    /// The window a read covers, in milliseconds.
    enum FeedSpan {
        /// A backfill's or a repair's `[start, end)`.
        case fixed(Int64, Int64)
        /// A live read: from the since value asked for (first run: the earliest updated-at value served) to the
        /// run's start, or to the newest value served when the feed's clock is ahead of ours.
        case live(start: Int64?, runStart: Int64)
    }

    /// One read of the feed from `since`, keeping rows updated before `until` (when given); pages become upsert
    /// batches with their coverage, and with `checkpoints` the watermark and schema version. Returns the pages
    /// read (at most `maxPages`: a read stopped there stays partial).
    @discardableResult
    private func read(_ feed: inout FeedRead, since: String?, until: Int64?, span: FeedSpan, maxPages: Int?,
                      checkpoints: Bool = false, emit: @Sendable (Batch) async throws -> Void) async throws -> Int {
        // Two stages: one task fetches and parses page N+1 (which needs page N's cursor, nothing else) while
        // this one turns page N into a batch and hands it to the writer. Parsing and assembling a page cost
        // about the same; in one task they were the slowest stage of the run, ahead of the writer.
        let pages = AsyncThrowingChannel<ParsedFeedPage, any Error>()
        var count = 0
        var served = 0
        var start: Int64?
        if case .fixed(let s, _) = span { start = s }
        if case .live(let s, _) = span { start = s }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [authorizer = feed.authorizer] in
                do {
                    try await fetchPages(since: since, authorizer: authorizer, maxPages: maxPages, into: pages)
                    pages.finish()
                } catch {
                    pages.fail(error)  // after the pages before it, so those are still loaded
                }
            }
            do {
                for try await parsed in pages {
                    count += 1
                    var objects = parsed.page.rows
                    if let until {
                        objects = objects.filter { row in
                            guard let t = row[settings.updatedField]?.stringValue.flatMap(EpochMillis.parse) else { return true }
                            return t < until
                        }
                    }
                    if let version = parsed.page.schemaVersion, version != feed.schemaVersion {
                        if let old = feed.schemaVersion, checkpoints {
                            context.logger.info("schema version changed", metadata: [
                                "job.name": "\(feed.job)", "feed.schema_from": "\(old)", "feed.schema_to": "\(version)"])
                        }
                        feed.schemaVersion = version
                    }
                    let newest = Self.maxUpdated(objects, field: settings.updatedField, current: nil)
                    if checkpoints { feed.watermark = Self.maxUpdated(objects, field: settings.updatedField, current: feed.watermark) }
                    if start == nil {
                        start = Self.minUpdated(objects, field: settings.updatedField)
                    }
                    let (columns, rows) = try feed.assembler.assemble(objects, origin: parsed.step)
                    served += rows.count
                    var checkpoint: [String: String] = [:]
                    if checkpoints {
                        if let watermark = feed.watermark { checkpoint[StateKey.watermark] = watermark }
                        if let version = feed.schemaVersion { checkpoint[StateKey.schemaVersion] = String(version) }
                    }
                    var mark = coverage(span, start: start, newest: feed.watermark ?? newest, pages: count, rows: served,
                                        complete: parsed.isLast)
                    mark.table = feed.target.table
                    try await emit(Batch(target: feed.target, columns: columns, rows: rows, checkpoint: checkpoint,
                                         origin: parsed.step, bytes: parsed.bytes, coverage: mark))
                }
                // The channel also ends when this task is cancelled (a shutdown): that is not the end of the feed.
                try Task.checkCancellation()
            } catch {
                group.cancelAll()  // stops the fetching task, waiting to hand over its next page
                throw error
            }
        }
        return count
    }

    /// The coverage mark of a read's page.
    private func coverage(_ span: FeedSpan, start: Int64?, newest: String?, pages: Int, rows: Int,
                          complete: Bool) -> CoverageMark {
        let status: CoverageStatus = complete ? .complete : .partial
        switch span {
        case .fixed(let s, let e):
            return CoverageMark(table: "", start: s, end: e, status: status, pages: pages, rows: rows)
        case .live(_, let runStart):
            let newestMillis = newest.flatMap(EpochMillis.parse) ?? runStart
            let from = start ?? runStart
            return CoverageMark(table: "", start: min(from, runStart), end: max(runStart, newestMillis), status: status,
                                pages: pages, rows: rows)
        }
    }

    /// Fetches and parses every page, starting at `since`, following `nextCursor`; each page is handed over
    /// before the next is requested, so at most one parsed page waits.
    private func fetchPages(since: String?, authorizer: (any Authorizer)?, maxPages: Int?,
                            into pages: AsyncThrowingChannel<ParsedFeedPage, any Error>) async throws {
        var cursor: String?
        var seen = Set<String>()
        var number = 0
        repeat {
            number += 1
            let step = "page \(number) of \(settings.dataset)"
            guard number <= Self.maxPages else {
                throw SluiceError(.badResponse, step: step, "the feed did not end after \(Self.maxPages) pages")
            }
            let url = pageURL(since: since, pageSize: settings.pageSize, cursor: cursor)
            let response = try await context.fetcher.send(
                HTTPRequest(method: "GET", url: url, headers: [HTTPHeader("Accept", "application/json")], step: step),
                authorizer: authorizer)
            let page = try FeedPage.parse(response.body, step: step)
            await pages.send(ParsedFeedPage(step: step, page: page, bytes: response.body.count,
                                            isLast: page.nextCursor == nil))
            try Task.checkCancellation()
            cursor = page.nextCursor
            if let next = cursor, !seen.insert(next).inserted {
                throw SluiceError(.badResponse, step: step,
                                  "the feed answered with a nextCursor it had already given (\(Self.excerpt(next))); "
                                      + "following it would read the same pages for ever")
            }
        } while cursor != nil && maxPages.map { number < $0 } ?? true
    }

    /// `GET {base_url}/{dataset}?{since_param}=…&{page_size_param}=…&{cursor_param}=…`, leaving out what is nil.
    func pageURL(since: String?, pageSize: Int, cursor: String?) -> String {
        URLBuilder.url(settings.baseURL, path: [settings.dataset], query: [
            (settings.sinceParam, since),
            (settings.pageSizeParam, String(pageSize)),
            (settings.cursorParam, cursor),
        ])
    }

    /// The most pages one run reads (100 million rows at the default page size).
    static let maxPages = 100_000

    /// The start of a server-supplied value, for a message.
    static func excerpt(_ text: String) -> String {
        text.count > 40 ? String(text.prefix(40)) + "…" : text
    }

    /// The since-parameter value for a stored watermark: the raw source value, or `lookback` earlier.
    func sinceValue(watermark: String) -> String {
        guard settings.lookbackSeconds > 0, let t = Timestamps.epochSeconds(watermark) else { return watermark }
        return Timestamps.isoUTC(epochSecond: Int64((t - settings.lookbackSeconds).rounded(.down)))
    }

    /// The earliest updated-at value among `rows` (milliseconds).
    static func minUpdated(_ rows: [JSONValue], field: String) -> Int64? {
        rows.compactMap { $0[field]?.stringValue.flatMap(EpochMillis.parse) }.min()
    }

    /// The larger of `current` and every row's updated-at value, compared as instants, kept in source form.
    static func maxUpdated(_ rows: [JSONValue], field: String, current: String?) -> String? {
        var best = current
        var bestTime = current.flatMap(Timestamps.epochSeconds)
        for row in rows {
            guard let text = row[field]?.stringValue, let t = Timestamps.epochSeconds(text) else { continue }
            if bestTime == nil || t > bestTime! {
                best = text
                bestTime = t
            }
        }
        return best
    }
}

/// A page on its way from the fetching task to assembly.
struct ParsedFeedPage: Sendable {
    var step: String
    var page: FeedPage
    var bytes: Int
    /// The feed said there is nothing after this page.
    var isLast: Bool
}
