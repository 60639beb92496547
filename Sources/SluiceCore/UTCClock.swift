#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The wall clock as a `Clock`: its instants are UTC times, because schedules fire at wall times (cron) and runs
/// are recorded at them. Time spans are `Duration`s like on every other clock; the scheduler, the retry waits
/// and the rate limiters all speak that one vocabulary, and tests inject a clock of their own (a manual one).
public struct UTCClock: Clock {
    /// A UTC time: how long after 1970-01-01T00:00:00Z.
    public struct Instant: InstantProtocol, CustomStringConvertible {
        public var sinceEpoch: Duration

        public init(sinceEpoch: Duration) { self.sinceEpoch = sinceEpoch }

        /// The instant `seconds` after the epoch, to the microsecond (clamped to the years 0001...9999, so no
        /// value read from a file or a server can overflow).
        public init(epochSeconds seconds: Double) {
            let bounded = seconds.isNaN ? 0 : Swift.min(Swift.max(seconds, -62_135_596_800), 253_402_300_799)
            sinceEpoch = .microseconds(Int64((bounded * 1_000_000).rounded()))
        }

        /// The instant of `date`.
        public init(_ date: Date) { self.init(epochSeconds: date.timeIntervalSince1970) }

        public func advanced(by duration: Duration) -> Instant { Instant(sinceEpoch: sinceEpoch + duration) }
        public func duration(to other: Instant) -> Duration { other.sinceEpoch - sinceEpoch }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.sinceEpoch < rhs.sinceEpoch }

        public static func + (lhs: Instant, rhs: Duration) -> Instant { lhs.advanced(by: rhs) }
        public static func - (lhs: Instant, rhs: Duration) -> Instant { lhs.advanced(by: .zero - rhs) }

        /// Seconds since the epoch.
        public var epochSeconds: Double { sinceEpoch.seconds }
        public var date: Date { Date(timeIntervalSince1970: epochSeconds) }
        public var description: String { Timestamps.format(epochSeconds: epochSeconds) }
    }

    public init() {}

    public var now: Instant {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Instant(sinceEpoch: .seconds(Int64(spec.tv_sec)) + .nanoseconds(Int64(spec.tv_nsec)))
    }

    public var minimumResolution: Duration { .milliseconds(1) }

    /// Sleeps until the wall clock reaches `deadline`. The wall clock can jump (NTP, a suspended machine), so the
    /// wait is taken in steps of at most a minute, each measured against the clock again.
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        while true {
            let left = now.duration(to: deadline)
            guard left > .zero else { return try Task.checkCancellation() }
            try await Task.sleep(for: min(left, .seconds(60)))
        }
    }
}
