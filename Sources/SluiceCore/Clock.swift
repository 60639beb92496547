import Foundation

/// Wall-clock time as seconds since the epoch (injected as a closure wherever decisions depend on it).
package enum WallClock {
    package static func epochNow() -> Double { Date().timeIntervalSince1970 }
}

extension Duration {
    /// The duration in seconds, fractions included.
    package var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// A duration of `seconds` (clamped to ±10 years, so no conversion of a server- or file-supplied value
    /// can overflow).
    package static func seconds(clamping seconds: Double) -> Duration {
        guard seconds.isFinite else { return seconds > 0 ? .seconds(DurationText.maxSeconds) : .zero }
        let bounded = Swift.min(Swift.max(seconds, -DurationText.maxSeconds), DurationText.maxSeconds)
        return .milliseconds(Int64((bounded * 1000).rounded(.up)))
    }
}
