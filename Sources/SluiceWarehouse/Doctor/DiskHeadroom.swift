package import SluiceCore

/// What the last runs suggest the warehouse needs on disk. Pure: figures in, a check out.
///
/// The measure is `sluice_runs.bytes_read`: what a run downloads is about what it writes (an upsert of
/// unchanged rows writes less, a snapshot about as much), and a download is one transaction, so while its
/// WAL is checkpointed into the file it can need its size twice. The next run must fit (✘ otherwise); a week
/// of runs should (! otherwise).
package struct RunGrowth: Sendable, Hashable {
    /// Runs started in the last 7 days.
    package var recentRuns: Int
    /// Bytes those runs read.
    package var recentBytes: Int64
    /// The most one recent run read (the last 100 runs).
    package var largestRunBytes: Int64

    package init(recentRuns: Int, recentBytes: Int64, largestRunBytes: Int64) {
        self.recentRuns = recentRuns
        self.recentBytes = recentBytes
        self.largestRunBytes = largestRunBytes
    }
}

package enum DiskHeadroom {
    /// Below this, a warehouse without run history draws a `!`.
    package static let minimumWithoutHistory: Int64 = 1 << 30

    /// The `disk space` check: `freeBytes` available to this user in the folder, against `growth` (nil: no
    /// warehouse or no runs yet).
    package static func check(freeBytes: Int64, growth: RunGrowth?, folder: String) -> DoctorCheck {
        let free = DoctorText.bytes(freeBytes)
        let fix = "free space on \(folder) or move the warehouse to a larger disk"
        guard let growth, growth.recentRuns > 0 || growth.largestRunBytes > 0 else {
            if freeBytes < minimumWithoutHistory {
                return .warn("disk space", "only \(free) free, and no runs yet to estimate the growth from", fix: fix)
            }
            return .pass("disk space", "\(free) free (no runs yet to estimate the growth from)")
        }
        let nextRun = 2 * growth.largestRunBytes
        let week = "the last 7 days' \(growth.recentRuns) run\(growth.recentRuns == 1 ? "" : "s") read "
            + DoctorText.bytes(growth.recentBytes)
        let largest = "the largest recent run read \(DoctorText.bytes(growth.largestRunBytes))"
        if freeBytes < nextRun {
            return .fail("disk space", "only \(free) free; \(largest), and a run can need twice that while its "
                             + "transaction is checkpointed", fix: fix)
        }
        if freeBytes < nextRun + growth.recentBytes {
            return .warn("disk space", "\(free) free: less than a week more at the recent rate (\(week); \(largest))",
                         fix: fix)
        }
        return .pass("disk space", "\(free) free; \(week) (\(largest))")
    }
}
