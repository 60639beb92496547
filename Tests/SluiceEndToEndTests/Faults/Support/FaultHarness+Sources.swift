import Foundation
import SluiceEmulators
import SluiceTestSupport

/// Builds a `FaultHarness` over each source's fixture; every builder ends with the secret scan.
extension FaultHarness {
    /// Citrix Monitor, one entity set (`Sessions`, `rows` rows) read in a single 7-day window.
    static func citrix<T>(rows: Int = 300, _ body: (CitrixMonitorEmulator, FaultHarness) async throws -> T)
        async throws -> T {
        try await CitrixFixture.with(rowCounts: ["Sessions": rows]) { f in
            try f.dir.writeJob("citrix", f.jobYAML(entities: ["Sessions"], window: "7d"))
            let h = FaultHarness(source: "citrix", job: "citrix", dir: f.dir, environment: f.environment,
                                 secrets: [f.secret], tables: ["citrix_sessions"], url: f.apiBase)
            let result = try await body(f.emulator, h)
            try await h.checkNoSecrets()
            return result
        }
    }

    /// Power BI activity events: three UTC days of 40 events, pages of 15, four days read back.
    static func powerBI<T>(configure: (inout PowerBIActivityEmulator.Configuration) -> Void = { _ in },
                           _ body: (PowerBIActivityEmulator, FaultHarness) async throws -> T) async throws -> T {
        try await PowerBIFixture.with(configure: configure) { f in
            let h = FaultHarness(source: "powerbi", job: "pbi", dir: f.dir, environment: f.environment,
                                 secrets: [f.secret], tables: ["pbi_events"], url: f.url)
            let result = try await body(f.emulator, h)
            try await h.checkNoSecrets()
            return result
        }
    }

    /// WS1 Intelligence (API on 127.0.0.1, storage on 127.0.0.2); the test adds the downloads.
    static func ws1<T>(_ body: (WS1Emulator, FaultHarness) async throws -> T) async throws -> T {
        try await WS1Fixture.with { f in
            let h = FaultHarness(source: "ws1", job: "devices", dir: f.dir, environment: f.environment,
                                 secrets: [f.secret], tables: ["devices"], url: f.url)
            let result = try await body(f.ws1, h)
            try await h.checkNoSecrets()
            return result
        }
    }

    /// The cursor feed: `rows` rows in pages of `pageSize`, with a static bearer token.
    static func cursorFeed<T>(rows: Int = 250, pageSize: Int = 50,
                              _ body: (CursorFeedEmulator, FaultHarness) async throws -> T) async throws -> T {
        try await FeedFixture.with(.init(rowCount: rows), pageSize: pageSize) { f in
            let h = FaultHarness(source: "cursor-feed", job: "feed", dir: f.dir, environment: f.environment,
                                 secrets: [f.token], tables: ["feed_rows"], url: f.url)
            let result = try await body(f.feed, h)
            try await h.checkNoSecrets()
            return result
        }
    }
}

/// Instants as the sources and the warehouse write them, compared as milliseconds since the epoch.
enum FaultTime {
    /// `2026-01-01T00:10:00Z`, `2026-01-01T00:10:00.72Z`, `2026-01-01 00:10:00.720` → milliseconds (UTC).
    static func millis(_ text: String) -> Int64? {
        var s = text.replacingOccurrences(of: "T", with: " ")
        if s.hasSuffix("Z") { s.removeLast() }
        let parts = s.split(separator: ".", maxSplits: 1)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        guard let first = parts.first, let date = formatter.date(from: String(first)) else { return nil }
        var fraction: Int64 = 0
        if parts.count == 2 {
            let digits = String((parts[1] + "000").prefix(3))
            fraction = Int64(digits) ?? 0
        }
        return Int64(date.timeIntervalSince1970) * 1000 + fraction
    }
}
