import Foundation
import SluiceCore

/// The libFuzzer entry point. `SLUICE_FUZZ_TARGET` picks the target: `csv`, `cron`, `jobfile`, `retryafter` or
/// `pages`.
///
/// A target must never crash, hang or trip a sanitizer on any input: errors are the expected answer to junk.
@_cdecl("LLVMFuzzerTestOneInput")
package func sluiceFuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    FuzzTargets.run(FuzzTargets.selected, bytes)
    return 0
}

/// The fuzz targets, callable from tests too (the regression inputs under `Fuzz/regressions/` replay through them).
package enum FuzzTargets {
    package enum Target: String, Sendable, CaseIterable {
        case csv, cron, jobfile, retryafter, pages
    }

    /// Chosen once from the environment (default `cron`).
    package static let selected: Target =
        Target(rawValue: ProcessInfo.processInfo.environment["SLUICE_FUZZ_TARGET"] ?? "") ?? .cron

    /// Feeds `bytes` to `target`.
    package static func run(_ target: Target, _ bytes: [UInt8]) {
        switch target {
        case .cron: fuzzCron(bytes)
        case .jobfile: fuzzJobFile(bytes)
        case .csv: fuzzCSV(bytes)
        case .retryafter: fuzzRetryAfter(bytes)
        case .pages: fuzzPages(bytes)
        }
    }

    static func fuzzCron(_ bytes: [UInt8]) {
        let text = String(decoding: bytes.prefix(256), as: UTF8.self)
        guard let schedule = try? Schedule.parse(text) else { return }
        // Walk a few fire times in a zone with DST: each must be strictly later than the one before.
        let zone = TimeZone(identifier: "Europe/Berlin")!
        var after = Date(timeIntervalSince1970: 1_774_000_000)
        var last: Date?
        for _ in 0..<4 {
            guard let next = schedule.nextFire(after: after, timeZone: zone, lastFire: last) else { return }
            precondition(next >= after, "next fire before 'after' for \(text)")
            last = next
            after = next.addingTimeInterval(1)
        }
    }

    static func fuzzJobFile(_ bytes: [UInt8]) {
        let text = String(decoding: bytes.prefix(16_384), as: UTF8.self)
        do {
            _ = try JobFileDecoder.decode(yaml: text, file: "fuzz.yaml")
        } catch {
            for e in error.errors { precondition(e.line >= 0, "negative line number") }
        }
    }
}
