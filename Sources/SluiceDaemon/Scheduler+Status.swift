package import SluiceCore

extension Scheduler {
    /// The one-line summary systemd shows in `systemctl status` (`STATUS=`):
    /// `idle; next feed 12:00Z; 3 jobs, 0 failing` or
    /// `running feed, ws1; next citrix 12:05:30Z; 3 jobs, 1 failing, 1 with gaps`.
    package func statusLine(now: UTCClock.Instant, jobsWithGaps: Int = 0) -> String {
        let running = entries.values.filter(\.isRunning).map(\.job.name).sorted()
        var parts: [String] = [running.isEmpty ? "idle" : "running " + running.joined(separator: ", ")]
        let waiting = entries.values.filter { !$0.isRunning && !$0.isRetired && $0.due != nil }
        if let next = waiting.min(by: { ($0.due!, $0.job.name) < ($1.due!, $1.job.name) }), let due = next.due {
            parts.append("next \(next.job.name) \(Self.shortTime(due, now: now))")
        }
        let failing = entries.values.filter { !$0.isRetired && $0.consecutiveFailures > 0 }.count
        let count = jobNames.count
        parts.append("\(count) job\(count == 1 ? "" : "s"), \(failing) failing"
                         + (jobsWithGaps > 0 ? ", \(jobsWithGaps) with gaps" : ""))
        return parts.joined(separator: "; ")
    }

    /// `12:00Z`, `12:00:05Z` when the seconds matter, with the date in front when it is not within a day.
    static func shortTime(_ instant: UTCClock.Instant, now: UTCClock.Instant) -> String {
        let text = Timestamps.format(epochSecond: Int64(instant.epochSeconds.rounded(.down)))  // YYYY-MM-DD HH:MM:SS
        let date = text.prefix(10)
        var time = String(text.dropFirst(11))
        if time.hasSuffix(":00") { time = String(time.dropLast(3)) }
        let withinADay = now.duration(to: instant) < .seconds(86_400)
        return withinADay ? time + "Z" : "\(date)T\(time)Z"
    }
}
