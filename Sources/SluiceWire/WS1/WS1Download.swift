package import SluiceCore

/// One entry of `POST …/reports/{id}/downloads/search`.
package struct WS1Download: Sendable, Hashable {
    /// The report tracking id: what the download endpoint takes.
    package var id: String
    /// `COMPLETED` is the only status that can be downloaded; others (pending, failed) are ignored.
    package var status: String
    /// Seconds since the epoch, when the entry has a readable timestamp.
    package var createdAt: Double?
    package var modifiedAt: Double?
    /// The id `POST …/run` answered with, linking an entry to the run that produced it.
    package var reportScheduleID: String?

    package init(id: String, status: String, createdAt: Double? = nil, modifiedAt: Double? = nil,
                reportScheduleID: String? = nil) {
        self.id = id
        self.status = status
        self.createdAt = createdAt
        self.modifiedAt = modifiedAt
        self.reportScheduleID = reportScheduleID
    }

    /// Whether the file is ready to download.
    package var isCompleted: Bool { status.uppercased() == "COMPLETED" }

    /// When the dataset was produced: `modified_at`, else `created_at`, as normalised UTC text.
    package var producedAtText: String? {
        (modifiedAt ?? createdAt).map { Timestamps.format(epochSeconds: $0) }
    }
}

/// One page of the downloads list, with the paging values the API reflects back.
package struct WS1DownloadPage: Sendable {
    package var downloads: [WS1Download]
    package var offset: Int
    package var pageSize: Int
    package var totalCount: Int

    /// Decodes `{"data":{"offset","page_size","total_count","results":[…]}}`.
    package static func parse(_ body: [UInt8], step: String) throws(SluiceError) -> WS1DownloadPage {
        let json = try JSONBody.parse(body, step: step)
        guard let data = json["data"], case .object = data else {
            throw SluiceError(.badResponse, step: step, "expected {\"data\": {…}} in the downloads list")
        }
        guard let results = data["results"]?.arrayValue else {
            throw SluiceError(.badResponse, step: step, "the downloads list has no 'results' array")
        }
        var downloads: [WS1Download] = []
        for (index, entry) in results.enumerated() {
            guard let id = entry["id"]?.stringValue, !id.isEmpty else {
                throw SluiceError(.badResponse, step: step, "download entry \(index + 1) has no 'id'")
            }
            downloads.append(WS1Download(
                id: id, status: entry["status"]?.stringValue ?? "",
                createdAt: entry["created_at"]?.stringValue.flatMap(Timestamps.epochSeconds),
                modifiedAt: entry["modified_at"]?.stringValue.flatMap(Timestamps.epochSeconds),
                reportScheduleID: entry["report_schedule_id"]?.stringValue))
        }
        func int(_ key: String) -> Int? { data[key]?.int64Value.map { Int($0) } }
        return WS1DownloadPage(downloads: downloads, offset: int("offset") ?? 0, pageSize: int("page_size") ?? results.count,
                               totalCount: int("total_count") ?? results.count)
    }

    /// The offset of the next page, or nil when this was the last (`offset + page_size >= total_count`).
    ///
    /// The three numbers come from the server: a sum that overflows (an `offset` near `Int.max`) or a negative
    /// offset ends the list instead of trapping.
    package var nextOffset: Int? {
        let size = max(pageSize, downloads.count)
        guard size > 0, offset >= 0 else { return nil }
        let (next, overflow) = offset.addingReportingOverflow(size)
        guard !overflow, next < totalCount else { return nil }
        return next
    }
}

/// Which downloads a run loads: pure decisions over the complete downloads list, tested without I/O.
package enum WS1DownloadSelection {
    /// Newest first: by `modified_at`, then `created_at`, then id (so equal times still pick the same one).
    package static func isNewer(_ a: WS1Download, than b: WS1Download) -> Bool {
        let am = a.modifiedAt ?? -.infinity, bm = b.modifiedAt ?? -.infinity
        if am != bm { return am > bm }
        let ac = a.createdAt ?? -.infinity, bc = b.createdAt ?? -.infinity
        if ac != bc { return ac > bc }
        return a.id > b.id
    }

    /// The newest `COMPLETED` download, whatever its position in the list; nil when none is completed.
    package static func newestCompleted(_ downloads: [WS1Download]) -> WS1Download? {
        downloads.filter(\.isCompleted).max { isNewer($1, than: $0) }
    }

    /// For a backfill: the `COMPLETED` downloads produced inside `range` that are not in `loaded`, oldest first.
    package static func backfill(_ downloads: [WS1Download], range: DayRange, loaded: Set<String>) -> [WS1Download] {
        let start = Double(range.startEpoch), end = Double(range.endEpoch)
        var seen = Set<String>()
        return downloads
            .filter { download in
                guard download.isCompleted, !loaded.contains(download.id), seen.insert(download.id).inserted,
                      let at = download.modifiedAt ?? download.createdAt else { return false }
                return at >= start && at < end
            }
            .sorted { isNewer($1, than: $0) }
    }

    /// The entry produced by the run `scheduleID` (from `POST …/run`), newest first if there are several.
    package static func entry(forSchedule scheduleID: String, in downloads: [WS1Download]) -> WS1Download? {
        downloads.filter { $0.reportScheduleID == scheduleID }.max { isNewer($1, than: $0) }
    }

    /// The loaded-download list kept in state: `ids` plus `id`, the newest `limit` kept.
    package static func remember(_ id: String, in ids: [String], limit: Int = 500) -> [String] {
        var out = ids.filter { $0 != id }
        out.append(id)
        return Array(out.suffix(limit))
    }
}
