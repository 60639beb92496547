import Foundation

/// Job files for the benchmarks that run the `sluice` binary: cursor-feed jobs on an hourly cron, pointing at
/// a loopback port nothing listens on (they are never meant to run during a measurement).
///
/// The cron minute is half an hour from now, so a measurement window of up to 29 minutes never contains a run
/// (a fixed `0 * * * *` fired in the middle of one idle measurement that crossed the hour).
enum JobFiles {
    /// Writes `count` job files into `directory`/jobs and returns that folder.
    static func write(count: Int, into directory: String) throws -> String {
        let folder = directory + "/jobs"
        let minute = (Calendar(identifier: .gregorian).component(.minute, from: Date()) + 30) % 60
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for n in 1...count {
            let text = """
                # Benchmark job \(n): hourly, so it does not fire during a one-minute measurement.
                schedule: "\(minute) * * * *"
                target:
                  table: bench_feed_\(n)
                  mode: upsert
                  primary_key: [id]
                source:
                  type: cursor-feed
                  base_url: "http://127.0.0.1:9/api/bi/v1"
                  dataset: access-requests
                  page_size: 1000

                """
            try text.write(toFile: folder + "/bench-\(n).yaml", atomically: true, encoding: .utf8)
        }
        return folder
    }
}
