import Foundation
package import SluiceCore

/// Why a job needs a person's attention, as `sluice status` judges it (and exits 1 for): its last run failed,
/// or its data is stale. A pure decision on the job's status and the time.
package enum JobAttention: Sendable, Equatable {
    /// The newest run ended `failed`.
    case lastRunFailed
    /// No successful run since `lastSuccess`, although the schedule wanted one at `due` and another after it:
    /// more than a whole interval late (is the daemon running?).
    case stale(lastSuccess: String, due: String)

    /// What is wrong with `job` (whose status is `status`) at `now` (seconds since the epoch); nil when nothing.
    ///
    /// A job that never ran is not stale (there is nothing old to show), and neither is one whose run is late
    /// by less than an interval: the daemon may simply be busy or have just started.
    package static func of(_ job: JobDefinition, status: JobStatus, now: Double) -> JobAttention? {
        if status.lastRun?.status == .failed { return .lastRunFailed }
        guard let lastSuccess = status.lastSuccessAt, let success = Timestamps.epochSeconds(lastSuccess) else { return nil }
        let zone = TimeZones.named(job.timezone) ?? TimeZones.utc
        let successDate = Date(timeIntervalSince1970: success)
        guard let due = job.schedule.nextFire(after: successDate, timeZone: zone, lastFire: successDate),
              let after = job.schedule.nextFire(after: due, timeZone: zone, lastFire: due),
              after.timeIntervalSince1970 < now else { return nil }
        return .stale(lastSuccess: lastSuccess, due: Timestamps.format(epochSecond: Int64(due.timeIntervalSince1970)))
    }

    /// One line for `sluice status`.
    package var description: String {
        switch self {
        case .lastRunFailed: return "needs attention: the last run failed"
        case .stale(let lastSuccess, let due):
            return "needs attention: stale, no successful run since \(lastSuccess)Z although one was due at \(due)Z "
                + "(is the daemon running?)"
        }
    }
}
