/// Amounts as the doctor checklist writes them: short, rounded, for a person.
package enum DoctorText {
    /// `45 s`, `12 min`, `3 h 12 min`, `2 d 4 h`; negative values read as their magnitude.
    package static func age(_ seconds: Double) -> String {
        let total = Int64(abs(seconds).rounded())
        if total < 60 { return "\(total) s" }
        let minutes = total / 60
        if minutes < 60 { return "\(minutes) min" }
        let hours = minutes / 60
        if hours < 48 { return minutes % 60 == 0 ? "\(hours) h" : "\(hours) h \(minutes % 60) min" }
        let days = hours / 24
        return hours % 24 == 0 ? "\(days) d" : "\(days) d \(hours % 24) h"
    }

    /// `512 bytes`, `3.4 KiB`, `41.2 GiB` (binary units, one decimal).
    package static func bytes(_ count: Int64) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB"]
        guard count >= 1024 else { return "\(count) bytes" }
        var value = Double(count)
        var unit = -1
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        let tenths = (value * 10).rounded() / 10
        let text = tenths == tenths.rounded() ? String(Int64(tenths)) : String(tenths)
        return "\(text) \(units[unit])"
    }
}
