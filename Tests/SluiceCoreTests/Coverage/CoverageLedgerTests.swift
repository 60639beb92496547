import SluiceCore
import Testing

/// Hours after 2026-11-01T00:00:00Z, in milliseconds: the ledger's rules read as arithmetic on hours.
func h(_ hours: Double) -> Int64 { 1_793_491_200_000 + Int64(hours * 3_600_000) }

extension CoverageRow {
    static func make(_ start: Double, _ end: Double, _ status: CoverageStatus, rows: Int = 10, pages: Int = 1,
                     run: Int64 = 1, table: String = "events", suspicious: Bool = false) -> CoverageRow {
        CoverageRow(job: "pbi", table: table, start: h(start), end: h(end), status: status, pages: pages, rows: rows,
                    runID: run, updatedAt: h(0), suspicious: suspicious)
    }
}

@Suite("coverage ledger rules")
struct CoverageLedgerTests {
    func mark(_ start: Double, _ end: Double, _ status: CoverageStatus, rows: Int = 5, pages: Int = 1,
              joinsDay: Bool = false) -> CoverageMark {
        CoverageMark(table: "events", start: h(start), end: h(end), status: status, pages: pages, rows: rows,
                     joinsDay: joinsDay)
    }

    func apply(_ mark: CoverageMark, to existing: [CoverageRow], history: [CoverageRow] = []) -> CoverageChange {
        CoverageLedger.apply(mark, job: "pbi", runID: 7, now: h(100), existing: existing, history: history)
    }

    @Test func aPageOfAnUnfinishedWindowWritesItPartialWithTheCountsSoFar() {
        let change = apply(mark(0, 24, .partial, rows: 30, pages: 3), to: [])
        #expect(change.deletes.isEmpty)
        #expect(change.upserts.count == 1)
        let row = change.upserts[0]
        #expect(row.status == .partial && row.pages == 3 && row.rows == 30 && row.runID == 7)
        #expect(row.start == h(0) && row.end == h(24))
    }

    @Test func theLastPageCompletesTheWindowAndReplacesItsRow() {
        let change = apply(mark(0, 24, .complete, rows: 40, pages: 4), to: [.make(0, 24, .partial, rows: 30, pages: 3)])
        #expect(change.upserts.map(\.status) == [.complete])
        #expect(change.upserts[0].rows == 40)
        #expect(change.deletes.isEmpty, "the same window is replaced, never doubled")
    }

    @Test func aReReadInProgressNeverDowngradesACompleteWindow() {
        let change = apply(mark(0, 24, .partial, rows: 3), to: [.make(0, 24, .complete, rows: 40)])
        #expect(change == CoverageChange())
    }

    @Test func aReReadThatReachesFurtherIsWrittenEvenWhileInProgress() {
        let change = apply(mark(0, 30, .partial, rows: 3), to: [.make(0, 24, .complete, rows: 40)])
        #expect(change.upserts.map(\.status) == [.partial])
    }

    @Test func aCompletedReadJoinsTheCompleteWindowsOfItsDayItTouches() {
        // Today: 00:00–10:00 complete; a later run reads 09:00–14:00 (its late-arrival overlap) and completes.
        let existing: [CoverageRow] = [.make(0, 10, .complete, rows: 100, pages: 2), .make(9, 14, .partial, rows: 8, run: 7)]
        let change = apply(mark(9, 14, .complete, rows: 20, pages: 2, joinsDay: true), to: existing)
        #expect(change.deletes == [h(0), h(9)].sorted())
        let row = try! #require(change.upserts.first)
        #expect(row.start == h(0) && row.end == h(14) && row.status == .complete)
        #expect(row.rows == 120 && row.pages == 4)
    }

    @Test func joiningStopsAtTheDayBoundary() {
        let existing: [CoverageRow] = [.make(0, 24, .complete)]
        let change = apply(mark(24, 30, .complete, joinsDay: true), to: existing)
        #expect(change.deletes.isEmpty)
        #expect(change.upserts.map(\.start) == [h(24)])
    }

    @Test func withoutJoiningAdjacentWindowsStayRowsOfTheirOwn() {
        let change = apply(mark(10, 20, .complete), to: [.make(0, 10, .complete)])
        #expect(change.deletes.isEmpty)
        #expect(change.upserts.map(\.start) == [h(10)])
    }

    @Test func partialWindowsInsideACompletedOneAreSuperseded() {
        let existing: [CoverageRow] = [.make(2, 5, .partial), .make(6, 12, .partial), .make(0, 1, .complete)]
        let change = apply(mark(1, 10, .complete), to: existing)
        #expect(change.deletes == [h(2)], "only the partial window wholly inside goes")
    }

    @Test func aZeroRowWindowAfterBusyOnesIsFlaggedSuspicious() {
        let history: [CoverageRow] = (1...5).map { .make(Double(-24 * $0), Double(-24 * $0 + 24), .complete, rows: 1000) }
        let quiet = apply(mark(0, 24, .complete, rows: 0), to: [], history: history)
        #expect(quiet.upserts[0].suspicious)
        let usual = apply(mark(0, 24, .complete, rows: 900), to: [], history: history)
        #expect(!usual.upserts[0].suspicious)
    }

    @Test func aWindowThatReReadsCoveredTimeIsMeasuredByItsNewPart() {
        // A feed's first read covered 2000 hours with 2000 rows; the next asks again from a watermark 1990
        // hours back, a quarter of an hour after the first ended, and serves 1 row: not suspicious.
        let first: [CoverageRow] = [.make(-2000, 0, .complete, rows: 2000)]
        let next = apply(mark(-1990, 0.25, .complete, rows: 1), to: [], history: first)
        #expect(!next.upserts[0].suspicious)
        // Measured over its whole length it would have been (the rule the new part replaces).
        #expect(SuspiciousVolume.isSuspicious(rows: 1, seconds: 1990.25 * 3600, history: [(2000, 2000 * 3600)]))
    }
}

@Suite("suspicious volume rule")
struct SuspiciousVolumeTests {
    @Test func belowATenthOfTheMedianRateIsSuspicious() {
        let history = [(rows: 1000, seconds: 86_400.0), (rows: 1200, seconds: 86_400.0), (rows: 800, seconds: 86_400.0)]
        #expect(SuspiciousVolume.isSuspicious(rows: 99, seconds: 86_400, history: history))
        #expect(!SuspiciousVolume.isSuspicious(rows: 101, seconds: 86_400, history: history))
        // Half a day is measured against half the usual volume.
        #expect(!SuspiciousVolume.isSuspicious(rows: 60, seconds: 43_200, history: history))
        #expect(SuspiciousVolume.isSuspicious(rows: 40, seconds: 43_200, history: history))
    }

    @Test func quietOrNewJobsAreNeverFlagged() {
        #expect(!SuspiciousVolume.isSuspicious(rows: 0, seconds: 86_400, history: []))
        // A feed polled every five minutes expects a handful of rows: below the minimum, never suspicious.
        let feed = [(rows: 3, seconds: 300.0), (rows: 5, seconds: 300.0)]
        #expect(!SuspiciousVolume.isSuspicious(rows: 0, seconds: 300, history: feed))
    }

    @Test func snapshotsCompareRowsNotRates() {
        let history = [(rows: 5000, seconds: 0.0), (rows: 5100, seconds: 0.0)]
        #expect(SuspiciousVolume.isSuspicious(rows: 12, seconds: 0, history: history))
        #expect(!SuspiciousVolume.isSuspicious(rows: 4900, seconds: 0, history: history))
    }
}
