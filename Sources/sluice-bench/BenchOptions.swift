import Foundation

/// The benchmark command line: `--rows N --columns N --pages N --seconds N --jobs N --rounds N --sluice PATH --dir PATH --keep`.
///
/// Each benchmark reads the options it needs and has its own defaults (`nil` here means "the benchmark's").
struct BenchOptions: Sendable {
    var rows: Int?
    var columns = 20
    /// Pages per paged source (`paged`).
    var pages: Int?
    /// Measurement window in seconds (`idle`).
    var seconds: Int?
    /// Job files (`coldstart`).
    var jobs: Int?
    /// The `sluice` binary the daemon benchmarks run (`idle`, `coldstart`); default: the one next to sluice-bench.
    var sluice: String?
    /// Alternating measured rounds whose median is reported (`ws1-csv`, `upsert`).
    var rounds = 3
    /// Where the CSV and the warehouse files go (removed afterwards unless `--keep`).
    var directory = NSTemporaryDirectory() + "sluice-bench-\(UUID().uuidString.prefix(8))"
    var keep = false

    struct UsageError: Error, CustomStringConvertible {
        var description: String
    }

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            switch flag {
            case "--keep": keep = true
            case "--sluice":
                guard let value = rest.popFirst() else { throw UsageError(description: "--sluice needs a path") }
                sluice = value
            case "--dir":
                guard let value = rest.popFirst() else { throw UsageError(description: "--dir needs a value") }
                directory = value
            case "--rows", "--columns", "--pages", "--seconds", "--jobs", "--rounds":
                guard let value = rest.popFirst(), let n = Int(value.replacingOccurrences(of: "_", with: "")), n > 0 else {
                    throw UsageError(description: "\(flag) needs a positive number")
                }
                switch flag {
                case "--rows": rows = n
                case "--columns": columns = n
                case "--pages": pages = n
                case "--seconds": seconds = n
                case "--rounds": rounds = n
                default: jobs = n
                }
            default: throw UsageError(description: "unknown option '\(flag)'")
            }
        }
    }

    /// The same options with `rows` set where the command line did not set it.
    func withDefaultRows(_ n: Int) -> BenchOptions {
        var copy = self
        if copy.rows == nil { copy.rows = n }
        return copy
    }

    /// Rows for the CSV benchmarks (1,000,000 unless `--rows`).
    var csvRows: Int { rows ?? 1_000_000 }
    var csvPath: String { directory + "/ws1-\(csvRows)x\(columns).csv" }

    /// Creates the working folder; the returned closure removes it unless `--keep`.
    func makeDirectory() throws -> () -> Void {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let directory = directory, keep = keep
        return { if !keep { try? FileManager.default.removeItem(atPath: directory) } }
    }
}
