import SluiceCore
import SluiceSources
import Testing

/// The window planner is pure: plain instants in, UTC-day windows out.
@Suite struct PowerBIWindowPlannerTests {
    static let hour: Int64 = 3_600_000
    static let day: Int64 = 86_400_000

    /// Milliseconds for `2026-11-20T10:30:00.000Z`-style text.
    static func ms(_ text: String) -> Int64 {
        Int64((Timestamps.epochSeconds(text)! * 1000).rounded())
    }

    static func texts(_ windows: [ActivityWindow]) -> [[String]] {
        windows.map { [$0.startText, $0.endText] }
    }

    @Test func aFirstRunStartsInitialLookbackBeforeNowAndSplitsAtMidnight() {
        let windows = ActivityWindowPlanner.plan(checkpointMillis: nil, nowMillis: Self.ms("2026-11-20T10:30:00Z"),
                                                 lateArrivalMillis: Self.hour, initialLookbackMillis: 2 * Self.day)
        #expect(Self.texts(windows) == [
            ["2026-11-18T10:30:00.000Z", "2026-11-18T23:59:59.999Z"],
            ["2026-11-19T00:00:00.000Z", "2026-11-19T23:59:59.999Z"],
            ["2026-11-20T00:00:00.000Z", "2026-11-20T10:30:00.000Z"],
        ])
        #expect(windows.map(\.day) == ["2026-11-18", "2026-11-19", "2026-11-20"])
    }

    @Test func aLookbackBeyondTwentyEightDaysIsClampedToTheRetention() {
        let now = Self.ms("2026-11-20T10:30:00Z")
        let windows = ActivityWindowPlanner.plan(checkpointMillis: nil, nowMillis: now, lateArrivalMillis: 0,
                                                 initialLookbackMillis: 40 * Self.day)
        #expect(windows.first?.startMillis == now - 28 * Self.day)
        #expect(windows.first?.startText == "2026-10-23T10:30:00.000Z")
        #expect(windows.count == 29)
        let old = ActivityWindowPlanner.plan(checkpointMillis: now - 60 * Self.day, nowMillis: now, lateArrivalMillis: 0,
                                             initialLookbackMillis: 0)
        #expect(old.first?.startMillis == now - 28 * Self.day)
    }

    @Test func aCheckpointExactlyAtMidnightStartsThatDay() {
        let windows = ActivityWindowPlanner.plan(checkpointMillis: Self.ms("2026-11-20T00:00:00Z"),
                                                 nowMillis: Self.ms("2026-11-20T05:00:00Z"), lateArrivalMillis: 0,
                                                 initialLookbackMillis: Self.day)
        #expect(Self.texts(windows) == [["2026-11-20T00:00:00.000Z", "2026-11-20T05:00:00.000Z"]])
    }

    @Test func lateArrivalCrossingMidnightRereadsTheTailOfThePreviousDay() {
        let windows = ActivityWindowPlanner.plan(checkpointMillis: Self.ms("2026-11-20T00:30:00Z"),
                                                 nowMillis: Self.ms("2026-11-20T02:00:00Z"), lateArrivalMillis: Self.hour,
                                                 initialLookbackMillis: Self.day)
        #expect(Self.texts(windows) == [
            ["2026-11-19T23:30:00.000Z", "2026-11-19T23:59:59.999Z"],
            ["2026-11-20T00:00:00.000Z", "2026-11-20T02:00:00.000Z"],
        ])
    }

    @Test func nowExactlyAtMidnightEndsWithThePreviousFullDay() {
        let windows = ActivityWindowPlanner.plan(checkpointMillis: Self.ms("2026-11-20T12:00:00Z"),
                                                 nowMillis: Self.ms("2026-11-21T00:00:00Z"), lateArrivalMillis: 0,
                                                 initialLookbackMillis: Self.day)
        #expect(Self.texts(windows) == [["2026-11-20T12:00:00.000Z", "2026-11-20T23:59:59.999Z"]])
    }

    @Test func aCheckpointAfterNowPlansNothing() {
        let now = Self.ms("2026-11-20T12:00:00Z")
        #expect(ActivityWindowPlanner.plan(checkpointMillis: now + 2 * Self.hour, nowMillis: now,
                                           lateArrivalMillis: Self.hour, initialLookbackMillis: Self.day).isEmpty)
    }

    @Test func windowsAreContiguousStayInsideOneUTCDayAndEndAtNow() {
        var generator = SplitMix(seed: 42)
        for _ in 0..<500 {
            let now = Self.ms("2026-01-01T00:00:00Z") + Int64(generator.next() % UInt64(400 * Self.day))
            let checkpoint = now - Int64(generator.next() % UInt64(30 * Self.day))
            let late = Int64(generator.next() % UInt64(3 * Self.hour))
            let windows = ActivityWindowPlanner.plan(checkpointMillis: checkpoint, nowMillis: now,
                                                     lateArrivalMillis: late, initialLookbackMillis: Self.day)
            #expect(windows.first?.startMillis == max(checkpoint - late, now - 28 * Self.day))
            for (a, b) in zip(windows, windows.dropFirst()) { #expect(b.startMillis == a.endMillis + 1) }
            for w in windows {
                #expect(w.startMillis <= w.endMillis)
                #expect(w.startMillis / Self.day == w.endMillis / Self.day)
            }
            let expectedEnd = now % Self.day == 0 ? now - 1 : now
            #expect(windows.last?.endMillis == expectedEnd)
        }
    }

    @Test func aBackfillPullsWholeDaysAndStopsAtNow() throws {
        let now = Self.ms("2026-11-20T10:30:00Z")
        let past = try ActivityWindowPlanner.backfill(DayRange(from: "2026-11-17", to: "2026-11-18")!, nowMillis: now)
        #expect(Self.texts(past) == [
            ["2026-11-17T00:00:00.000Z", "2026-11-17T23:59:59.999Z"],
            ["2026-11-18T00:00:00.000Z", "2026-11-18T23:59:59.999Z"],
        ])
        let toToday = try ActivityWindowPlanner.backfill(DayRange(from: "2026-11-19", to: "2026-11-21")!, nowMillis: now)
        #expect(Self.texts(toToday).last == ["2026-11-20T00:00:00.000Z", "2026-11-20T10:30:00.000Z"])
        #expect(toToday.count == 2)
    }

    @Test func aBackfillOlderThanTwentyEightDaysIsRefusedWithTheReason() {
        let now = Self.ms("2026-11-20T10:30:00Z")
        #expect(throws: SluiceError.self) {
            try ActivityWindowPlanner.backfill(DayRange(from: "2026-10-23", to: "2026-10-25")!, nowMillis: now)
        }
        let error = #expect(throws: SluiceError.self) {
            try ActivityWindowPlanner.backfill(DayRange(from: "2026-10-01", to: "2026-10-02")!, nowMillis: now)
        }
        #expect(error?.kind == .config)
        #expect(error?.message.contains("keeps only 28 days") == true)
        #expect(error?.message.contains("2026-10-24") == true)
        // The oldest complete day is allowed.
        #expect((try? ActivityWindowPlanner.backfill(DayRange(from: "2026-10-24", to: "2026-10-24")!, nowMillis: now))?
            .count == 1)
    }

    @Test func aBackfillOfFutureDaysIsRefused() {
        #expect(throws: SluiceError.self) {
            try ActivityWindowPlanner.backfill(DayRange(from: "2026-11-25", to: "2026-11-26")!,
                                               nowMillis: Self.ms("2026-11-20T10:30:00Z"))
        }
    }
}

/// A tiny deterministic generator, so the property test sees the same instants every time.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
