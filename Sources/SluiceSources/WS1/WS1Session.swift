import Logging
import SluiceCore
import SluiceWire
import SluiceHTTP

/// The API calls of one WS1 run besides the download itself: listing downloads and running the report.
struct WS1Session: Sendable {
    let access: WS1Access
    let settings: WS1Settings
    let fetcher: HTTPFetcher
    let authorizer: any Authorizer

    /// Every entry of the downloads list: pages requested with `{"offset","page_size"}` in the JSON body
    /// until `offset + page_size` reaches `total_count` (a short or empty page also ends it).
    func listAll() async throws -> [WS1Download] {
        var all: [WS1Download] = []
        var offset = 0
        var page = 0
        while true {
            page += 1
            let step = "list downloads, page \(page)"
            let body = Array("{\"offset\":\(offset),\"page_size\":\(settings.pageSize)}".utf8)
            let response = try await fetcher.send(
                HTTPRequest(method: "POST", url: access.downloadsURL(report: settings.reportID),
                            headers: [HTTPHeader("Content-Type", "application/json"), HTTPHeader("Accept", "application/json")],
                            body: body, step: step),
                authorizer: authorizer)
            let parsed = try WS1DownloadPage.parse(response.body, step: step)
            all += parsed.downloads
            guard !parsed.downloads.isEmpty, let next = parsed.nextOffset, next > offset else { return all }
            guard page < 10_000 else {
                throw SluiceError(.badResponse, step: step, "the downloads list does not end (more than 10,000 pages)")
            }
            offset = next
        }
    }

    /// `POST …/run`, then polls the list until the entry of that run is `COMPLETED`; fails after `run_timeout`.
    ///
    /// Polls every `run_timeout / 30`, between 50 ms and 15 s (public scripts poll every 15 s; a short timeout in
    /// a test polls faster, and a 30-minute timeout makes at most ~120 list calls of the 1,000 per hour allowed).
    func runReportAndWait(logger: Logger, clock: ContinuousClock = ContinuousClock()) async throws -> WS1Download {
        let step = "run report"
        let response = try await fetcher.send(
            HTTPRequest(method: "POST", url: access.runURL(report: settings.reportID),
                        headers: [HTTPHeader("Accept", "application/json")], body: nil, step: step),
            authorizer: authorizer)
        let json: JSONValue
        do {
            json = try JSONParser.parse(response.body)
        } catch {
            throw SluiceError(.badResponse, step: step, "malformed JSON in the run answer (\(error.description))")
        }
        guard let scheduleID = json["data"]?["id"]?.stringValue, !scheduleID.isEmpty else {
            throw SluiceError(.badResponse, step: step, "the run answer has no data.id (the report schedule id)")
        }
        logger.info("asked Intelligence to run report \(settings.reportID); waiting for it to complete",
                    metadata: ["ws1.report_schedule_id": "\(scheduleID)"])
        let interval = min(15, max(0.05, settings.runTimeoutSeconds / 30))
        let deadline = clock.now.advanced(by: .milliseconds(Int64(settings.runTimeoutSeconds * 1000)))
        var lastStatus = "not listed yet"
        while true {
            let entry = WS1DownloadSelection.entry(forSchedule: scheduleID, in: try await listAll())
            if let entry {
                if entry.isCompleted { return entry }
                lastStatus = entry.status
                if ["FAILED", "ERROR", "CANCELLED", "CANCELED"].contains(entry.status.uppercased()) {
                    throw SluiceError(.badResponse, step: step,
                                      "the report run \(scheduleID) ended with status \(entry.status)")
                }
            }
            guard clock.now < deadline else {
                throw SluiceError(.timeout, step: step,
                                  "the report run \(scheduleID) did not complete within run_timeout "
                                      + "(\(DurationText.format(settings.runTimeoutSeconds))); last status: \(lastStatus)")
            }
            try await Task.sleep(for: .milliseconds(Int64(interval * 1000)))
        }
    }
}
