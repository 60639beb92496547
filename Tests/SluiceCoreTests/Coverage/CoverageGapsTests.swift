import SluiceCore
import Testing

@Suite("gaps in the coverage ledger")
struct CoverageGapsTests {
    let day: Int64 = 86_400_000

    @Test func aBrokenDayBetweenTwoCompleteOnesIsAPartialGapWithItsDeadline() {
        let rows: [CoverageRow] = [.make(0, 24, .complete), .make(24, 30, .partial), .make(48, 72, .complete)]
        let gaps = CoverageGaps.find(rows, recoverableFor: 28 * day, now: h(72))
        #expect(gaps == [CoverageGap(job: "pbi", table: "events", start: h(24), end: h(48), reason: .partial,
                                     recoverableUntil: h(24) + 28 * day)])
    }

    @Test func anIntervalNothingReadIsMissing() {
        let rows: [CoverageRow] = [.make(0, 10, .complete), .make(12, 20, .complete)]
        let gaps = CoverageGaps.find(rows, recoverableFor: nil, now: h(20))
        #expect(gaps.map(\.reason) == [.missing])
        #expect(gaps.map(\.start) == [h(10)] && gaps.map(\.end) == [h(12)])
        #expect(gaps[0].recoverableUntil == nil, "a feed keeps history")
    }

    @Test func overlappingAndTouchingWindowsLeaveNoGap() {
        let rows: [CoverageRow] = [.make(0, 10, .complete), .make(9, 15, .complete), .make(15, 20, .complete)]
        #expect(CoverageGaps.find(rows, recoverableFor: nil, now: h(20)).isEmpty)
    }

    @Test func aPartialWindowCoveredByCompleteOnesIsNoGap() {
        let rows: [CoverageRow] = [.make(0, 10, .complete), .make(5, 8, .partial)]
        #expect(CoverageGaps.find(rows, recoverableFor: nil, now: h(20)).isEmpty)
    }

    @Test func theNewestWindowBrokenOffIsAGapUntilRepaired() {
        let rows: [CoverageRow] = [.make(0, 10, .complete), .make(10, 20, .partial, run: 2)]
        #expect(CoverageGaps.find(rows, recoverableFor: nil, now: h(20)).map(\.reason) == [.partial])
        // While run 2 is still reading, its window is not broken yet.
        #expect(CoverageGaps.find(rows, recoverableFor: nil, now: h(20), inProgress: [2]).isEmpty)
    }

    @Test func aGapPastItsRetentionIsLostAndOneHalfWayIsSplit() {
        let rows: [CoverageRow] = [.make(0, 24, .complete), .make(48, 96, .complete)]
        // The API keeps 30 days; 31 days after 00:00 on day 1 the whole gap (24–48h) is gone.
        let lost = CoverageGaps.find(rows, recoverableFor: 30 * day, now: h(24 + 31 * 24))
        #expect(lost.map(\.reason) == [.lost])
        #expect(!lost[0].isRecoverable(now: h(24 + 31 * 24)))
        // Half-way: 24h–36h already forgotten, 36h–48h still served.
        let split = CoverageGaps.find(rows, recoverableFor: 30 * day, now: h(36) + 30 * day)
        #expect(split.map(\.reason) == [.lost, .missing])
        #expect(split.map(\.start) == [h(24), h(36)])
        #expect(split.map(\.end) == [h(36), h(48)])
    }

    @Test func snapshotsNeverMakeGaps() {
        let rows: [CoverageRow] = [.make(0, 0, .complete), .make(48, 48, .complete)]
        #expect(CoverageGaps.find(rows, recoverableFor: nil, now: h(50)).isEmpty)
    }

    @Test func aGapAtTheRetentionEdgeIsNoLongerRepaired() {
        let gap = CoverageGap(job: "j", table: "t", start: h(0), end: h(1), reason: .partial, recoverableUntil: h(10))
        #expect(gap.isRecoverable(now: h(9)))
        #expect(!gap.isRecoverable(now: h(10) - CoverageGaps.safetyMargin))
    }
}

@Suite("freshness and staleness")
struct FreshnessTests {
    @Test func completeThroughStopsAtTheFirstGap() {
        let rows: [CoverageRow] = [.make(0, 24, .complete), .make(24, 30, .partial), .make(48, 72, .complete)]
        let gaps = CoverageGaps.find(rows, recoverableFor: nil, now: h(72))
        let row = Freshness.row(job: "pbi", table: "events", rows: rows, gaps: gaps, lastSuccessAt: h(72), stale: false,
                                now: h(75))
        #expect(row.completeThrough == h(24))
        #expect(row.lagSeconds == Int64(51 * 3600))
        #expect(row.gaps == 1 && row.lostSeconds == 0)
    }

    @Test func lostGapsNoLongerHoldCompleteThroughBackButAreCounted() {
        let rows: [CoverageRow] = [.make(0, 24, .complete), .make(48, 72, .complete)]
        let day: Int64 = 86_400_000
        let now = h(72) + 40 * day
        let gaps = CoverageGaps.find(rows, recoverableFor: 30 * day, now: now)
        let row = Freshness.row(job: "pbi", table: "events", rows: rows, gaps: gaps, lastSuccessAt: nil, stale: true, now: now)
        #expect(row.completeThrough == h(72))
        #expect(row.gaps == 0 && row.lostSeconds == 24 * 3600)
    }

    @Test func aLedgerThatStartsBrokenProvesNothing() {
        let rows: [CoverageRow] = [.make(0, 5, .partial), .make(5, 24, .complete)]
        #expect(Freshness.completeThrough(rows, gaps: []) == nil)
    }

    @Test func snapshotsAreCompleteThroughTheNewest() {
        let rows: [CoverageRow] = [.make(0, 0, .complete), .make(48, 48, .complete), .make(50, 50, .partial)]
        #expect(Freshness.completeThrough(rows, gaps: []) == h(48))
    }

    @Test func staleAfterTwoIntervalsWithoutSuccessAndNeverBeforeTheFirstRun() throws {
        #expect(!Staleness.isStale(lastSuccess: 1000, firstRunStart: 0, bound: 7200, now: 8000))
        #expect(Staleness.isStale(lastSuccess: 1000, firstRunStart: 0, bound: 7200, now: 8201))
        #expect(Staleness.isStale(lastSuccess: nil, firstRunStart: 0, bound: 7200, now: 7201))
        #expect(!Staleness.isStale(lastSuccess: nil, firstRunStart: nil, bound: 7200, now: 1e9))
    }
}
