/// When a job fires: a fixed interval or a 5-field cron expression (evaluated in the job's time zone).
package enum Schedule: Sendable, Hashable, CustomStringConvertible {
    /// `every <duration>`, in seconds.
    case every(seconds: Double)
    /// A 5-field cron expression.
    case cron(CronExpression)

    package var description: String {
        switch self {
        case .every(let s): return "every \(DurationText.format(s))"
        case .cron(let c): return c.source
        }
    }
}
