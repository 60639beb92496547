import AsyncAlgorithms
import Logging
import SluiceCore
import SluiceWire
import SluiceHTTP

/// Pulls a `{ rows, nextCursor, schemaVersion }` JSON feed incrementally by its updated-at field.
///
/// One run: `GET {base_url}/{dataset}?{since_param}={watermark − lookback}&{page_size_param}=N`, then the same
/// with `{cursor_param}={nextCursor}` until `nextCursor` is null. Each page becomes one upsert batch whose
/// checkpoint is the largest `updated_field` value committed so far, so a run cut off after page N resumes
/// from there. New fields (a growing `schemaVersion`) become new columns. The bearer token is static: a 401
/// fails the run with a clear message instead of retrying.
public struct CursorFeedSource: Source {
    /// `sluice_state` keys this source writes.
    public enum StateKey {
        public static let watermark = "watermark"
        public static let schemaVersion = "schema_version"
    }

    let settings: CursorFeedSettings
    let context: SourceContext

    public init(settings: CursorFeedSettings, context: SourceContext) {
        self.settings = settings
        self.context = context
    }

    public func pull(_ request: PullRequest, emit: @Sendable (Batch) async throws -> Void) async throws -> PullOutcome {
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

        let backfill = request.backfill
        let storedWatermark = backfill == nil ? request.state[StateKey.watermark] : nil
        var watermark = storedWatermark
        var since: String? = storedWatermark.map { sinceValue(watermark: $0) }
        if let backfill { since = Timestamps.isoUTC(epochSecond: backfill.startEpoch) }
        var schemaVersion = Int(request.state[StateKey.schemaVersion] ?? "")

        // Two stages: one task fetches and parses page N+1 (which needs page N's cursor, nothing else) while
        // this one turns page N into a batch and hands it to the writer. Parsing and assembling a page cost
        // about the same; in one task they were the slowest stage of the run, ahead of the writer.
        let pages = AsyncThrowingChannel<ParsedFeedPage, any Error>()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [since] in
                do {
                    try await fetchPages(since: since, authorizer: authorizer, into: pages)
                    pages.finish()
                } catch {
                    pages.fail(error)  // after the pages before it, so those are still loaded
                }
            }
            do {
                for try await parsed in pages {
                    var objects = parsed.page.rows
                    if let backfill {
                        objects = objects.filter { row in
                            guard let t = row[settings.updatedField]?.stringValue.flatMap(Timestamps.epochSeconds) else { return true }
                            return t < Double(backfill.endEpoch)
                        }
                    }
                    if let version = parsed.page.schemaVersion, version != schemaVersion {
                        if let old = schemaVersion {
                            context.logger.info("schema version changed", metadata: [
                                "job.name": "\(job.name)", "feed.schema_from": "\(old)", "feed.schema_to": "\(version)"])
                        }
                        schemaVersion = version
                    }
                    watermark = Self.maxUpdated(objects, field: settings.updatedField, current: watermark)
                    let (columns, rows) = try assembler.assemble(objects, origin: parsed.step)
                    var checkpoint: [String: String] = [:]
                    if backfill == nil {
                        if let watermark { checkpoint[StateKey.watermark] = watermark }
                        if let schemaVersion { checkpoint[StateKey.schemaVersion] = String(schemaVersion) }
                    }
                    try await emit(Batch(target: target, columns: columns, rows: rows, checkpoint: checkpoint,
                                         origin: parsed.step, bytes: parsed.bytes))
                }
                // The channel also ends when this task is cancelled (a shutdown): that is not the end of the feed.
                try Task.checkCancellation()
            } catch {
                group.cancelAll()  // stops the fetching task, waiting to hand over its next page
                throw error
            }
            return .completed
        }
    }

    /// Fetches and parses every page, starting at `since`, following `nextCursor`; each page is handed over
    /// before the next is requested, so at most one parsed page waits.
    private func fetchPages(since: String?, authorizer: (any Authorizer)?,
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
            let url = URLBuilder.url(settings.baseURL, path: [settings.dataset], query: [
                (settings.sinceParam, since),
                (settings.pageSizeParam, String(settings.pageSize)),
                (settings.cursorParam, cursor),
            ])
            let response = try await context.fetcher.send(
                HTTPRequest(method: "GET", url: url, headers: [HTTPHeader("Accept", "application/json")], step: step),
                authorizer: authorizer)
            let page = try FeedPage.parse(response.body, step: step)
            await pages.send(ParsedFeedPage(step: step, page: page, bytes: response.body.count))
            try Task.checkCancellation()
            cursor = page.nextCursor
            if let next = cursor, !seen.insert(next).inserted {
                throw SluiceError(.badResponse, step: step,
                                  "the feed answered with a nextCursor it had already given (\(Self.excerpt(next))); "
                                      + "following it would read the same pages for ever")
            }
        } while cursor != nil
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
}
