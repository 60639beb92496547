#if canImport(Glibc)
package import Glibc
#elseif canImport(Musl)
package import Musl
#elseif canImport(Darwin)
package import Darwin
#endif
package import Foundation

/// The wall clock as a `Clock`: its instants are UTC times, because schedules fire at wall times (cron) and runs
/// are recorded at them. Time spans are `Duration`s like on every other clock; the scheduler, the retry waits
/// and the rate limiters all speak that one vocabulary, and tests inject a clock of their own (a manual one).
package struct UTCClock: Clock {
    /// A UTC time: how long after 1970-01-01T00:00:00Z.
    package struct Instant: InstantProtocol, CustomStringConvertible {
        package var sinceEpoch: Duration

        package init(sinceEpoch: Duration) { self.sinceEpoch = sinceEpoch }

        /// The instant `seconds` after the epoch, to the microsecond (clamped to the years 0001...9999, so no
        /// value read from a file or a server can overflow).
        package init(epochSeconds seconds: Double) {
            let bounded = seconds.isNaN ? 0 : Swift.min(Swift.max(seconds, -62_135_596_800), 253_402_300_799)
            sinceEpoch = .microseconds(Int64((bounded * 1_000_000).rounded()))
        }

        /// The instant of `date`.
        package init(_ date: Date) { self.init(epochSeconds: date.timeIntervalSince1970) }

        package func advanced(by duration: Duration) -> Instant { Instant(sinceEpoch: sinceEpoch + duration) }
        package func duration(to other: Instant) -> Duration { other.sinceEpoch - sinceEpoch }
        package static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.sinceEpoch < rhs.sinceEpoch }

        package static func + (lhs: Instant, rhs: Duration) -> Instant { lhs.advanced(by: rhs) }
        package static func - (lhs: Instant, rhs: Duration) -> Instant { lhs.advanced(by: .zero - rhs) }

        /// Seconds since the epoch.
        package var epochSeconds: Double { sinceEpoch.seconds }
        package var date: Date { Date(timeIntervalSince1970: epochSeconds) }
        package var description: String { Timestamps.format(epochSeconds: epochSeconds) }
    }

    package init() {}

    package var now: Instant {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Instant(sinceEpoch: .seconds(Int64(spec.tv_sec)) + .nanoseconds(Int64(spec.tv_nsec)))
    }

    package var minimumResolution: Duration { .milliseconds(1) }

    /// Sleeps until the wall clock reaches `deadline`. The wall clock can jump (NTP, a suspended machine), so the
    /// wait is taken in steps of at most a minute, each measured against the clock again.
    package func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        while true {
            let left = now.duration(to: deadline)
            guard left > .zero else { return try Task.checkCancellation() }
            try await Task.sleep(for: min(left, .seconds(60)))
        }
    }
}
