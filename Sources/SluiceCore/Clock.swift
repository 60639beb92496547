import Foundation

/// Wall-clock time as seconds since the epoch (injected as a closure wherever decisions depend on it).
public enum WallClock {
    public static func epochNow() -> Double { Date().timeIntervalSince1970 }
}
