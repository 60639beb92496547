import Foundation
import SluiceCore
import Testing
@testable import SluiceDaemon

/// The status page as pure values: marks, heat-map cells, the timeline, call-outs, and the HTML's escaping and
/// self-containment. The browser and the daemon's HTTP answers are tested end to end.
@Suite("status page model and HTML")
struct StatusPageTests {
    static let day: Int64 = 86_400_000
    /// 2026-11-20 12:00:00Z.
    static let now = 1_763_640_000.0

    static func run(_ id: Int64, _ status: RunStatus, startedAgo: Double, took: Double = 10, rows: Int64 = 5,
                    error: String? = nil) -> RunRecord {
        let start = now - startedAgo
        return RunRecord(runID: id, job: "pbi", trigger: .schedule,
                         startedAt: Timestamps.format(epochSecond: Int64(start)),
                         finishedAt: status == .running ? nil : Timestamps.format(epochSecond: Int64(start + took)),
                         status: status, rowsWritten: rows, requests: 2, bytesRead: 100, error: error,
                         errorKind: status == .failed ? .network : nil)
    }

    static func status(_ last: RunRecord?, gaps: [CoverageGap] = [], stale: Bool = false,
                       suspicious: [CoverageRow] = []) -> JobStatus {
        let fresh = FreshnessRow(job: "pbi", table: "events", lastSuccessAt: nil, completeThrough: nil, lagSeconds: nil,
                                 stale: stale, gaps: gaps.count, lostSeconds: 0)
        var s = JobStatus(job: "pbi", source: "powerbi-activity", schedule: "every 1h", nextRun: nil, lastRun: last,
                          consecutiveFailures: 0, lastSuccessAt: nil, checkpoint: [:])
        s.completeness = CompletenessReport(job: "pbi", gaps: gaps, freshness: [fresh], suspicious: suspicious)
        return s
    }

    @Test func theMarkFollowsPrecedenceRunningThenFailedThenStale() {
        let failed = Self.status(Self.run(3, .failed, startedAgo: 60))
        #expect(StatusPageModel.mark(failed, running: true) == .running)
        #expect(StatusPageModel.mark(failed, running: false) == .failed)
        let staleOK = Self.status(Self.run(3, .succeeded, startedAgo: 60), stale: true)
        #expect(StatusPageModel.mark(staleOK, running: false) == .stale)
        #expect(StatusPageModel.mark(Self.status(Self.run(3, .unchanged, startedAgo: 60)), running: false) == .unchanged)
        #expect(StatusPageModel.mark(Self.status(nil), running: false) == .never)
        #expect(StatusPageModel.mark(Self.status(Self.run(3, .abandoned, startedAgo: 60)), running: false) == .failed)
    }

    @Test func eachDayShowsTheWorstStateTouchingIt() {
        let nowMillis = EpochMillis.from(seconds: Self.now)
        let today = EpochMillis.dayStart(nowMillis)
        let days = (0..<4).reversed().map { today - Int64($0) * Self.day }
        let rows = days.map { CoverageRow(job: "pbi", table: "events", start: $0, end: min($0 + Self.day, nowMillis),
                                          status: .complete, pages: 1, rows: 10, runID: 1, updatedAt: nowMillis,
                                          suspicious: $0 == days[2]) }
        let gaps = [
            CoverageGap(job: "pbi", table: "events", start: days[0] + 3_600_000, end: days[0] + 7_200_000, reason: .lost,
                        recoverableUntil: nil),
            CoverageGap(job: "pbi", table: "events", start: days[1], end: days[1] + 60_000, reason: .partial,
                        recoverableUntil: nowMillis + Self.day),
        ]
        let cells = StatusPageModel.cells(days: days, rows: rows, gaps: gaps, now: nowMillis)
        #expect(cells == [.lost, .partial, .suspicious, .complete])
        #expect(StatusPageModel.cells(days: days, rows: [], gaps: [], now: nowMillis) == [.none, .none, .none, .none])
    }

    @Test func theTimelineKeepsTheLast24HoursAndClipsARunThatStartedBefore() {
        let runs = [Self.run(1, .succeeded, startedAgo: 100_000), Self.run(2, .failed, startedAgo: 86_410, took: 20),
                    Self.run(3, .running, startedAgo: 30)]
        let bars = StatusPageModel.timeline(runs, now: Self.now)
        #expect(bars.map(\.runID) == [2, 3])
        #expect(bars[0].start == Self.now - 86_400)
        #expect(bars[1].end == Self.now)
    }

    @Test func aGapNearItsDeadlineIsCalledOutWithTheCommandThatRepairsIt() {
        let nowMillis = EpochMillis.from(seconds: Self.now)
        let gap = CoverageGap(job: "pbi", table: "events", start: nowMillis - 20 * Self.day, end: nowMillis - 19 * Self.day,
                              reason: .partial, recoverableUntil: nowMillis + 3 * Self.day)
        let far = CoverageGap(job: "pbi", table: "events", start: nowMillis - 2 * Self.day, end: nowMillis - Self.day,
                              reason: .missing, recoverableUntil: nowMillis + 26 * Self.day)
        let callouts = StatusPageModel.callouts(Self.status(nil, gaps: [gap, far]), warningSeconds: 7 * 86_400,
                                                now: nowMillis)
        #expect(callouts.count == 1)
        #expect(callouts.first?.contains("partial — the API forgets it in 3d") == true, "\(callouts)")
        #expect(callouts.first?.hasSuffix("sluice backfill pbi --gaps") == true)
    }

    @Test func outsideTextIsEscapedAndThePageHasNoScriptAndNoOutsideResource() {
        let hostile = "HTTP 400: <script>alert(1)</script> it's \"quoted\" & <img src=x onerror=alert(2)>"
        let model = StatusPageModel.build(
            statuses: [Self.status(Self.run(7, .failed, startedAgo: 60, error: hostile))],
            runs: ["pbi": [Self.run(7, .failed, startedAgo: 60, error: hostile), Self.run(6, .succeeded, startedAgo: 3_600)]],
            coverage: [:], progress: [:],
            brokenFiles: [JobFileError(file: "/jobs/<b>.yaml", line: 3, message: "unknown key '<i>'")],
            warningSeconds: 7 * 86_400, now: Self.now)
        let html = StatusPageHTML.render(model, product: "sluice 0.0.0", nonce: "abc123")
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("<img"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("it&#39;s &quot;quoted&quot; &amp; &lt;img"))
        #expect(html.contains("/jobs/&lt;b&gt;.yaml:3: unknown key &#39;&lt;i&gt;&#39;"), "\(html)")
        #expect(html.contains("1 broken job file"))
        // Self-contained: no external fonts, scripts, stylesheets or images; only same-origin links.
        for external in ["http://", "https://", "//fonts", "@import", "<link", "src=\""] {
            #expect(!html.contains(external), "\(external)")
        }
        #expect(html.contains("<style nonce=\"abc123\">"))
        #expect(html.contains("<meta http-equiv=\"refresh\" content=\"30\">"))
    }

    @Test func thePolicyAllowsOnlyTheNoncedStylesheetAndInlineImages() {
        let policy = StatusPageServer.policy(nonce: "n0")
        #expect(policy.hasPrefix("default-src 'none'; "))
        #expect(policy.contains("style-src 'nonce-n0'"))
        #expect(!policy.contains("script-src"))
        #expect(!policy.contains("unsafe-inline"))
        #expect(StatusPageServer.nonce() != StatusPageServer.nonce())
    }

    @Test func theStatusDocumentListsBrokenFilesBesideTheJobs() throws {
        let text = StatusDocument.text(warehouse: "/w.db", statuses: [Self.status(nil)],
                                       brokenFiles: [JobFileError(file: "/jobs/x.yaml", line: 8, message: "unknown key 'tokn'")])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["warehouse"] as? String == "/w.db")
        #expect((object["jobs"] as? [Any])?.count == 1)
        let broken = try #require(object["broken_files"] as? [[String: Any]])
        #expect(broken.first?["file"] as? String == "/jobs/x.yaml")
        #expect(broken.first?["line"] as? Int == 8)
    }
}
