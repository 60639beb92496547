package import Foundation

/// Time zones by IANA name, with UTC answered without ICU.
///
/// Foundation resolves every named zone, `UTC` included, through ICU's zone database, which maps several MiB
/// of ICU into the process. Most jobs run on UTC (the default), and the scheduler only ever asks a zone for
/// its offset, so a fixed zero offset serves them and ICU is loaded only for a job that names another zone.
package enum TimeZones {
    /// Names that mean UTC (compared case-sensitively, as IANA names are).
    static let utcNames: Set<String> = ["UTC", "Etc/UTC", "Etc/Universal", "Etc/Zulu", "Universal", "Zulu",
                                        "GMT", "Etc/GMT", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0", "GMT0", "Etc/Greenwich",
                                        "Greenwich"]

    /// The fixed UTC zone.
    package static let utc = TimeZone(secondsFromGMT: 0)!

    /// The zone called `name`, or nil when it is not a known IANA name.
    package static func named(_ name: String) -> TimeZone? {
        utcNames.contains(name) ? utc : TimeZone(identifier: name)
    }
}
