import Logging
package import SluiceCore
import SluiceWire
import SluiceHTTP
import NIOCore

/// Loads the newest completed download of a Workspace ONE Intelligence report.
///
/// One run: token (client credentials, HTTP Basic) → every page of `downloads/search` → the newest
/// `COMPLETED` entry by `modified_at`/`created_at` (never by list position) → nothing to do if it is the
/// download loaded last time (`unchanged`) → `GET …/tracking/{id}/download`, which redirects to signed storage
/// (followed without `Authorization`) → the CSV parsed as it streams → parts of one dataset, the last of them
/// with the checkpoint, so the download becomes visible whole or not at all.
///
/// With `run_report: true` the run first asks Intelligence to run the report and polls the list until the
/// entry for that run is `COMPLETED`. A backfill loads every completed download produced in the range that is
/// not loaded yet, oldest first, each a dataset of its own, and leaves the live `last_download_*` keys alone.
package struct WS1IntelligenceSource: Source {
    /// `sluice_state` keys this source writes.
    package enum StateKey {
        /// The tracking id of the download the live job loaded last.
        package static let lastDownloadID = "last_download_id"
        /// When that download was produced (its `modified_at`), UTC.
        package static let lastDownloadAt = "last_download_at"
        /// Tracking ids of recently loaded downloads (live and backfill), comma-separated, newest last.
        package static let loadedDownloads = "loaded_download_ids"
    }

    let settings: WS1Settings
    let context: SourceContext
    /// Rows per dataset part.
    let batchRows: Int

    package init(settings: WS1Settings, context: SourceContext, batchRows: Int = 5000) {
        self.settings = settings
        self.context = context
        self.batchRows = batchRows
    }

    package func pull(_ request: PullRequest, emit: @Sendable (Batch) async throws -> Void) async throws -> PullOutcome {
        let job = request.job
        let target = TableTarget(table: job.target.table ?? job.defaultTable, mode: job.target.mode ?? .snapshot,
                                 primaryKey: job.target.primaryKey, columnTypes: job.target.columns,
                                 keepSnapshots: job.target.keepSnapshots)
        if target.mode == .upsert, target.primaryKey.isEmpty {
            throw SluiceError(.config, job: job.name, step: "target",
                              "mode 'upsert' needs target.primary_key (a report column that identifies a row, e.g. a device UDID)")
        }
        let access = try WS1Access.resolve(settings, job: job.name, secrets: context.secrets)
        let session = WS1Session(access: access, settings: settings, fetcher: context.fetcher,
                                 authorizer: access.credentials().authorizer(fetcher: context.fetcher, caches: context.tokens))
        var loaded = Self.loadedIDs(request.state)

        if let range = request.backfill {
            guard target.mode != .replace else {
                throw SluiceError(.config, job: job.name, step: "backfill",
                                  "a backfill would replace the table with older downloads; it needs mode snapshot or upsert")
            }
            let candidates = WS1DownloadSelection.backfill(try await session.listAll(), range: range, loaded: Set(loaded))
            context.logger.info("backfill: \(CountText.format(candidates.count, "completed download")) in \(range) not loaded yet",
                                metadata: ["job.name": "\(job.name)"])
            for download in candidates {
                loaded = WS1DownloadSelection.remember(download.id, in: loaded)
                try await load(download, session: session, request: request, target: target,
                               checkpoint: [StateKey.loadedDownloads: loaded.joined(separator: ",")], emit: emit)
            }
            return candidates.isEmpty ? .unchanged : .completed
        }

        let download: WS1Download
        if settings.runReport {
            download = try await session.runReportAndWait(logger: context.logger)
        } else {
            let all = try await session.listAll()
            guard let newest = WS1DownloadSelection.newestCompleted(all) else {
                throw SluiceError(.notFound, step: "list downloads",
                                  "report \(settings.reportID) has no COMPLETED download yet (\(all.count) entries listed); "
                                      + "schedule the report in Intelligence or set run_report: true")
            }
            download = newest
        }
        if download.id == request.state[StateKey.lastDownloadID] {
            context.logger.info("download \(download.id) is already loaded", metadata: ["job.name": "\(job.name)"])
            return .unchanged
        }
        loaded = WS1DownloadSelection.remember(download.id, in: loaded)
        var checkpoint = [StateKey.lastDownloadID: download.id, StateKey.loadedDownloads: loaded.joined(separator: ",")]
        if let at = download.producedAtText { checkpoint[StateKey.lastDownloadAt] = at }
        try await load(download, session: session, request: request, target: target, checkpoint: checkpoint, emit: emit)
        return .completed
    }

    /// Streams one download into batches; the last one carries `checkpoint`.
    private func load(_ download: WS1Download, session: WS1Session, request: PullRequest, target: TableTarget,
                      checkpoint: [String: String], emit: @Sendable (Batch) async throws -> Void) async throws {
        let origin = "download \(download.id)"
        let producedAt = download.producedAtText ?? Timestamps.format(epochSeconds: request.now)
        var known = request.knownColumns[target.table] ?? [:]
        for (name, type) in target.columnTypes { known[name] = type }
        var loader = WS1CSVLoader(target: target, dataset: (download.id, producedAt), origin: origin,
                                  knownTypes: known, batchRows: batchRows)
        var parser = CSVStreamParser()
        var expectedLength: Int?
        var received = 0
        var parts = 0
        let httpRequest = HTTPRequest(method: "GET", url: session.access.downloadURL(download: download.id),
                                      headers: [HTTPHeader("Accept", "*/*")], step: origin)
        do {
            try await context.fetcher.stream(httpRequest, authorizer: session.authorizer, onHead: { head in
                expectedLength = head.header("Content-Length").flatMap { Int($0) }
            }, body: { chunk in
                received += chunk.readableBytes
                loader.pendingBytes += chunk.readableBytes
                try chunk.withUnsafeReadableBytes { raw in try parser.feed(raw) { try loader.add($0) } }
                for batch in loader.takeReady() {
                    parts += 1
                    try await emit(batch)
                }
            })
            if let expectedLength, expectedLength != received {
                throw SluiceError(.badResponse, step: origin,
                                  "the body is cut short: \(received) of \(expectedLength) bytes arrived, in row \(loader.dataRows + 1)", retryable: true)
            }
            try parser.finish { try loader.add($0) }
        } catch let error as CSVParseError {
            throw SluiceError(.badResponse, step: origin,
                              "row \(max(1, error.record - 1)): \(error.reason); nothing of this download was loaded")
        } catch let error as SluiceError where error.step == origin && error.kind != .cancelled {
            var located = error
            located.message += " (in row \(loader.dataRows + 1)); nothing of this download was loaded"
            throw located
        }
        for batch in loader.takeReady() {
            parts += 1
            try await emit(batch)
        }
        var last = try loader.finish(checkpoint: checkpoint)
        // A snapshot is whole at one moment: the ledger gets a point at the download's creation time.
        let at = Timestamps.epochSeconds(producedAt).map(EpochMillis.from(seconds:)) ?? EpochMillis.from(seconds: request.now)
        last.coverage = CoverageMark(table: target.table, start: at, end: at, status: .complete, pages: parts + 1,
                                     rows: loader.dataRows)
        // The runner logs "loaded download …" once this last part has committed.
        try await emit(last)
    }

    /// The ids in ``StateKey/loadedDownloads``.
    static func loadedIDs(_ state: [String: String]) -> [String] {
        var ids = (state[StateKey.loadedDownloads] ?? "").split(separator: ",").map(String.init)
        if let last = state[StateKey.lastDownloadID], !ids.contains(last) { ids.append(last) }
        return ids
    }
}
