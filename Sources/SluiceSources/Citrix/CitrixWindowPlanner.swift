package import SluiceCore

/// A half-open range `[from, to)` of a cursor property, in whole seconds since the epoch.
package struct CitrixWindow: Sendable, Hashable, CustomStringConvertible {
    package var from: Int64
    package var to: Int64

    package init(from: Int64, to: Int64) {
        self.from = from
        self.to = to
    }

    package var description: String {
        "\(Timestamps.isoUTC(epochSecond: from))..\(Timestamps.isoUTC(epochSecond: to))"
    }
}

/// Decides which cursor ranges a run reads; pure, so it is tested with plain numbers.
///
/// The Monitor service cuts queries off after 30 seconds, so a long range is split into
/// `window`-long queries, oldest first. A live run reads from the watermark minus `lookback` (rows mutate
/// after they were first read) up to now; the first run reads `initialLookback` back from now.
package enum CitrixWindowPlanner {
    /// The windows of a normal run. Empty when the start is not before `now`.
    package static func live(watermark: Double?, now: Double, lookback: Double, initialLookback: Double,
                            window: Double) -> [CitrixWindow] {
        let start = watermark.map { $0 - lookback } ?? now - initialLookback
        return split(from: Int64(start.rounded(.down)), to: Int64(now.rounded(.up)), window: window)
    }

    /// The windows of a backfill of whole UTC days.
    package static func backfill(_ days: DayRange, window: Double) -> [CitrixWindow] {
        split(from: days.startEpoch, to: days.endEpoch, window: window)
    }

    /// `[from, to)` cut into consecutive pieces of at most `window` seconds (at least one second each).
    package static func split(from: Int64, to: Int64, window: Double) -> [CitrixWindow] {
        guard from < to else { return [] }
        let step = max(1, Int64(window.rounded(.down)))
        var windows: [CitrixWindow] = []
        var start = from
        while start < to {
            let end = min(to, start + step)
            windows.append(CitrixWindow(from: start, to: end))
            start = end
        }
        return windows
    }
}

/// Builds Monitor OData query URLs.
package enum CitrixQuery {
    /// `{cursor} ge {from} and {cursor} lt {to}` with unquoted UTC literals, as the service expects
    /// (`ModifiedDate gt 2024-08-06T07:00:00Z`; a quoted literal is a string, not a date).
    package static func filter(cursor: String, window: CitrixWindow) -> String {
        "\(cursor) ge \(Timestamps.isoUTC(epochSecond: window.from)) and \(cursor) lt \(Timestamps.isoUTC(epochSecond: window.to))"
    }

    /// The first page's URL of an entity set, optionally restricted to a window and ordered by the cursor.
    ///
    /// `$orderby={cursor} asc` makes "largest cursor committed" a true low-water mark inside a window; the
    /// system query option names keep their literal `$` (servers match them literally) and values are
    /// percent-encoded.
    package static func url(apiBase: String, entity: String, cursor: String?, window: CitrixWindow?) -> String {
        var url = apiBase.hasSuffix("/") ? String(apiBase.dropLast()) : apiBase
        url += "/" + URLBuilder.encode(entity, keepSlash: false)
        guard let cursor, let window else { return url }
        url += "?$filter=" + URLBuilder.encode(filter(cursor: cursor, window: window), keepSlash: false)
        url += "&$orderby=" + URLBuilder.encode("\(cursor) asc", keepSlash: false)
        return url
    }

    /// `{api_base}/$metadata`.
    package static func metadataURL(apiBase: String) -> String {
        (apiBase.hasSuffix("/") ? String(apiBase.dropLast()) : apiBase) + "/$metadata"
    }
}
