import Foundation

/// Wall time of `sluice validate` and `sluice status` over 50 job files (median of 5 runs each), next to
/// `sluice --help`, which is the process start-up alone.
struct ColdStartBenchmark {
    let options: BenchOptions

    func run() async throws {
        let cleanup = try options.makeDirectory()
        defer { cleanup() }
        let count = options.jobs ?? 50
        let jobs = try JobFiles.write(count: count, into: options.directory)
        let warehouse = options.directory + "/status.db"
        _ = try BenchRun.timeSluice(["status", "--jobs", jobs, "--warehouse", warehouse], executable: options.sluice)  // creates the warehouse
        let help = try Self.median(["--help"], executable: options.sluice)
        let validate = try Self.median(["validate", "--jobs", jobs], executable: options.sluice)
        let status = try Self.median(["status", "--jobs", jobs, "--warehouse", warehouse], executable: options.sluice)
        let anchor = "`sluice --help` " + BenchMeasure.format(help * 1000, 1) + " ms"
        await BenchTable.shared.report("Cold start: \(count) job files, median of 5", [
            BenchLine(name: "sluice validate", figure: BenchMeasure.format(validate * 1000, 1) + " ms", anchor: anchor,
                      ratio: BenchMeasure.ratio(validate / help), target: "(no target)"),
            BenchLine(name: "sluice status", figure: BenchMeasure.format(status * 1000, 1) + " ms", anchor: anchor,
                      ratio: BenchMeasure.ratio(status / help), target: "(no target)"),
        ])
    }

    /// Median wall time of five runs; a run that fails is an error (the measurement would be meaningless).
    static func median(_ arguments: [String], executable: String?) throws -> Double {
        var times: [Double] = []
        for _ in 0..<5 {
            let (seconds, status) = try BenchRun.timeSluice(arguments, executable: executable)
            guard status == 0 else {
                throw BenchOptions.UsageError(description: "sluice \(arguments.first ?? "") exited with status \(status)")
            }
            times.append(seconds)
        }
        return times.sorted()[2]
    }
}
