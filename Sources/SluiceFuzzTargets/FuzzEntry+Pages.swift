import Foundation
import SluiceCore
import SluiceWire

/// Targets for what a server sends: headers and page bodies. Each parser must answer any bytes with a value
/// or a ``SluiceError``, never a trap; and what it accepts must be usable without trapping further down.
extension FuzzTargets {
    /// `Retry-After` (seconds or an HTTP date) and the retry decision built on it, at every attempt number.
    static func fuzzRetryAfter(_ bytes: [UInt8]) {
        let text = String(decoding: bytes.prefix(512), as: UTF8.self)
        let now = Date(timeIntervalSince1970: 1_774_000_000)
        if let wait = RetryAfter.parse(text, now: now) {
            precondition(wait.isFinite && wait >= 0 && wait <= RetryAfter.longest, "wait \(wait) for \(text.debugDescription)")
        }
        let policy = RetryPolicy()
        for attempt in [1, 5, 6, Int.max] {
            let decision = policy.decide(status: 429, attempt: attempt, retryAfter: text, now: now, random: { $0.upperBound })
            if case .retry(let wait) = decision {
                precondition(wait >= .zero && wait <= .seconds(clamping: policy.maxRetryAfterSeconds),
                             "retry after \(wait) for \(text.debugDescription)")
            }
        }
    }

    /// The four sources' page decoders on the same bytes, and what the sources compute from a decoded page.
    static func fuzzPages(_ bytes: [UInt8]) {
        let body = Array(bytes.prefix(65_536))
        if let page = try? FeedPage.parse(body, step: "fuzz") {
            _ = page.rows.count
            _ = page.nextCursor
        }
        if let page = try? CitrixPage.parse(body, step: "fuzz") {
            if let link = page.nextLink { _ = URLParts("https://api.cloud.com/monitorodata/Sessions")?.resolve(link) }
        }
        if let page = try? WS1DownloadPage.parse(body, step: "fuzz") {
            _ = page.nextOffset
            _ = WS1DownloadSelection.newestCompleted(page.downloads)
            for download in page.downloads { _ = download.producedAtText }
        }
        if let page = try? ActivityEventsPage.parse(body, step: "fuzz"), let uri = page.continuationURI {
            _ = URLParts(uri)?.isSameOrigin(as: URLParts("https://api.powerbi.com/v1.0/myorg")!)
        }
    }
}
