import Foundation
import Synchronization
import SluiceHTTP
import SluiceWire
import Testing
import SluiceCore

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 6)
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    struct Row: Sendable, CustomStringConvertible {
        var status: Int?
        var transientError = false
        var attempt: Int
        var retryAfter: String?
        /// nil: give up.
        var wait: Double?
        var description: String { "\(status.map(String.init) ?? "error") attempt \(attempt) RA \(retryAfter ?? "-")" }
    }

    /// Jitter drawn at the top of its window, so the table shows the window itself.
    static let schedule: [Row] = [
        Row(status: 503, attempt: 1, wait: 0.5),
        Row(status: 500, attempt: 2, wait: 1),
        Row(status: 502, attempt: 3, wait: 2),
        Row(status: 504, attempt: 4, wait: 4),
        Row(status: 408, attempt: 5, wait: 8),
        Row(status: 503, attempt: 6, wait: nil),             // the sixth attempt was the last
        Row(status: 429, attempt: 1, retryAfter: "7", wait: 7),
        Row(status: 503, attempt: 2, retryAfter: "Tue, 14 Nov 2023 22:13:50 GMT", wait: 30),
        Row(status: 429, attempt: 1, retryAfter: "3392", wait: 3392),  // Power BI's throttle is honoured
        Row(status: 429, attempt: 1, retryAfter: "7200", wait: nil),   // longer than the cap: the run fails
        Row(status: 429, attempt: 1, retryAfter: "whenever", wait: 0.5),
        Row(status: 429, attempt: 6, retryAfter: "1", wait: nil),
        Row(status: nil, transientError: true, attempt: 1, wait: 0.5),
        Row(status: nil, transientError: false, attempt: 1, wait: nil),
        Row(status: 400, attempt: 1, wait: nil),
        Row(status: 401, attempt: 1, wait: nil),
        Row(status: 403, attempt: 1, wait: nil),
        Row(status: 404, attempt: 1, wait: nil),
        Row(status: 404, attempt: 1, retryAfter: "5", wait: nil),
        Row(status: 501, attempt: 1, wait: nil),
    ]

    @Test(arguments: schedule)
    func retryScheduleFollowsTheTable(_ row: Row) {
        let decision = policy.decide(status: row.status, isTransientError: row.transientError, attempt: row.attempt,
                                     retryAfter: row.retryAfter, now: now, random: { $0.upperBound })
        if let wait = row.wait {
            #expect(decision == .retry(after: .seconds(clamping: wait)))
        } else {
            guard case .giveUp = decision else {
                Issue.record("expected give up, got \(decision)")
                return
            }
        }
    }

    @Test func fullJitterCanWaitZero() {
        let decision = policy.decide(status: 503, attempt: 3, retryAfter: nil, now: now, random: { $0.lowerBound })
        #expect(decision == .retry(after: .zero))
    }

    @Test func theJitterRangeIsZeroToTheWindow() {
        let ranges = Mutex<[ClosedRange<Double>]>([])
        _ = policy.decide(status: 503, attempt: 4, retryAfter: nil, now: now, random: { range in
            ranges.withLock { $0.append(range) }
            return range.lowerBound
        })
        #expect(ranges.withLock { $0 } == [0...4])
    }

    @Test func theBackoffWindowIsCappedAtSixtySeconds() {
        #expect(policy.backoffWindow(afterAttempt: 8) == 60)
        #expect(policy.backoffWindow(afterAttempt: 1_000) == 60)
        let long = RetryPolicy(maxAttempts: 100)
        #expect(long.decide(status: 503, attempt: 50, retryAfter: nil, now: now, random: { $0.upperBound })
            == .retry(after: .seconds(60)))
    }

    @Test func givingUpSaysHowManyAttemptsWereMade() {
        let decision = policy.decide(status: 503, attempt: 6, retryAfter: nil, now: now, random: { $0.upperBound })
        #expect(decision == .giveUp(reason: "gave up after 6 attempts (last: HTTP 503)"))
    }

    @Test func theRetryAfterCapIsConfigurable() {
        let strict = RetryPolicy(maxAttempts: 6, maxRetryAfterSeconds: 60)
        let decision = strict.decide(status: 429, attempt: 1, retryAfter: "3392", now: now, random: { $0.upperBound })
        guard case .giveUp(let reason) = decision else {
            Issue.record("expected give up, got \(decision)")
            return
        }
        #expect(reason.contains("3392"))
        #expect(reason.contains("60 s"))
    }
}
