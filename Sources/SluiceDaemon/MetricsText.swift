/// Renders ``DaemonMetrics/Snapshot`` in the Prometheus text exposition format (version 0.0.4).
public enum MetricsText {
    /// The `Content-Type` of the rendered text.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The whole `/metrics` page. Series are sorted by label, so the output is stable.
    public static func render(_ m: DaemonMetrics.Snapshot) -> String {
        var out = ""
        family(&out, "sluice_runs_total", "counter", "Finished runs by job and status.",
               nested(m.runs, label: "status").map { ($0.0, Double($0.1)) })
        family(&out, "sluice_rows_written_total", "counter", "Rows inserted or changed, by job.",
               m.rowsWritten.sorted { $0.key < $1.key }.map { ([("job", $0.key)], Double($0.value)) })
        family(&out, "sluice_last_success_timestamp_seconds", "gauge",
               "End of the last succeeded or unchanged run, in seconds since the epoch.",
               m.lastSuccess.sorted { $0.key < $1.key }.map { ([("job", $0.key)], $0.value) })
        family(&out, "sluice_last_run_duration_seconds", "gauge", "Duration of the last run, by job.",
               m.lastDuration.sorted { $0.key < $1.key }.map { ([("job", $0.key)], $0.value) })
        out += "# HELP sluice_run_duration_seconds Run durations, by job.\n"
        out += "# TYPE sluice_run_duration_seconds summary\n"
        for job in m.durationCount.keys.sorted() {
            out += "sluice_run_duration_seconds_sum\(labels([("job", job)])) \(number(m.durationSum[job] ?? 0))\n"
            out += "sluice_run_duration_seconds_count\(labels([("job", job)])) \(m.durationCount[job] ?? 0)\n"
        }
        family(&out, "sluice_http_requests_total", "counter",
               "HTTP answers by job and status class (error: no answer, e.g. a timeout).",
               nested(m.httpRequests, label: "class").map { ($0.0, Double($0.1)) })
        return out
    }

    private static func family(_ out: inout String, _ name: String, _ type: String, _ help: String,
                               _ samples: [([(String, String)], Double)]) {
        out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        for (labelPairs, value) in samples { out += "\(name)\(labels(labelPairs)) \(number(value))\n" }
    }

    private static func nested(_ values: [String: [String: Int]], label: String) -> [([(String, String)], Int)] {
        values.keys.sorted().flatMap { job in
            values[job]!.keys.sorted().map { inner in ([("job", job), (label, inner)], values[job]![inner]!) }
        }
    }

    /// `{job="feed",status="failed"}` with `\`, `"` and newlines escaped as the format requires.
    static func labels(_ pairs: [(String, String)]) -> String {
        let inner = pairs.map { key, value in
            var escaped = ""
            for ch in value {
                switch ch {
                case "\\": escaped += "\\\\"
                case "\"": escaped += "\\\""
                case "\n": escaped += "\\n"
                default: escaped.append(ch)
                }
            }
            return "\(key)=\"\(escaped)\""
        }
        return "{" + inner.joined(separator: ",") + "}"
    }

    /// Whole numbers without a fraction (`250`), others with Swift's shortest exact form (`0.25`).
    static func number(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
