import SluiceCore
import SluiceWire
import Synchronization

/// One server's `Date` header, and when this machine received it.
struct ServerDate: Sendable, Hashable {
    /// `api.na1.data.workspaceone.com`, `127.0.0.1:43121`.
    var host: String
    /// The header as sent: `Sun, 06 Nov 1994 08:49:37 GMT`.
    var date: String
    /// Seconds since the epoch on this machine's clock.
    var receivedAt: Double
}

/// Compares this machine's clock with the servers' `Date` headers. Pure: the observations are values.
///
/// Tokens carry validity times and every window Sluice plans starts from "now", so a clock minutes off makes
/// tokens look expired or not yet valid and windows miss or repeat data. A `Date` header has one-second
/// resolution and arrives after the network's delay, so differences of a second or two mean nothing; more
/// than five minutes is a fault.
enum ClockSkew {
    /// More than this apart is a ✘.
    static let limitSeconds: Double = 300

    /// The `clock` check for what the servers of one job said.
    static func check(_ observations: [ServerDate]) -> DoctorCheck {
        // Per host the observation closest to this machine's clock: a late-delivered answer says least.
        var best: [String: (skew: Double, date: String)] = [:]
        for observation in observations {
            guard let server = RetryAfter.httpDate(observation.date) else { continue }
            let skew = observation.receivedAt - server
            if let known = best[observation.host], abs(known.skew) <= abs(skew) { continue }
            best[observation.host] = (skew, observation.date)
        }
        guard let worst = best.max(by: { abs($0.value.skew) < abs($1.value.skew) }) else {
            return .warn("clock", "not checked: no server answered with a Date header",
                         fix: "make sure this machine's clock is synchronised (timedatectl shows 'System clock synchronized: yes')")
        }
        let skew = worst.value.skew
        if abs(skew) > limitSeconds {
            let direction = skew > 0 ? "ahead of" : "behind"
            return .fail("clock", "this machine's clock is \(DoctorText.age(skew)) \(direction) \(worst.key) "
                             + "(its Date header said \(worst.value.date))",
                         fix: "synchronise the clock with NTP (timedatectl set-ntp true, or chrony): tokens and time "
                             + "windows depend on it")
        }
        let hosts = best.keys.sorted().joined(separator: ", ")
        let within = abs(skew) < 2 ? "within a second" : "within \(DoctorText.age(skew))"
        return .pass("clock", "\(within) of \(hosts) (Date headers)")
    }
}

/// Collects the `Date` headers of one job's answers (an ``HTTPObserver`` handed to the doctor's fetcher).
final class ServerDateLog: HTTPObserver {
    private let seen = Mutex<[ServerDate]>([])

    var observations: [ServerDate] { seen.withLock { $0 } }

    func answered(job: String, status: Int) {}

    func failed(job: String) {}

    func serverDate(job: String, host: String, date: String, receivedAt: Double) {
        seen.withLock { $0.append(ServerDate(host: host, date: date, receivedAt: receivedAt)) }
    }
}
