import Foundation
import Yams

/// Turns job files into validated ``JobDefinition``s, reporting every problem with its line.
///
/// Decoding needs no environment: secrets stay references (``SecretRef``) until a ``SecretResolver``
/// reads them at run time, so `sluice validate` works on a machine without the credentials.
package enum JobFileDecoder {
    static let topLevelKeys = ["name", "description", "schedule", "timezone", "jitter", "max_run_time", "target", "http",
                               "source", "max_staleness", "repair_budget", "retention", "tenant"]
    static let targetKeys = ["table", "mode", "primary_key", "columns", "keep_snapshots", "pseudonymise", "drop",
                             "pseudonym_key"]
    static let httpKeys = ["timeout", "max_attempts", "rate_limit", "min_transfer_rate"]

    /// Decodes one job file's text. `file` names it in errors and gives the job its default name (the stem).
    ///
    /// - Throws: ``JobFileErrors`` with every problem found, ordered by line.
    package static func decode(yaml: String, file: String) throws(JobFileErrors) -> JobDefinition {
        let outcome = read(yaml: yaml, file: file)
        guard let job = outcome.job else { throw JobFileErrors(outcome.errors) }
        return job
    }

    /// Reads and decodes the job file at `path`.
    ///
    /// - Throws: ``JobFileErrors``, also when the file cannot be read.
    package static func load(path: String) throws(JobFileErrors) -> JobDefinition {
        let outcome = read(path: path)
        guard let job = outcome.job else { throw JobFileErrors(outcome.errors) }
        return job
    }

    /// The result of reading one file: the job when it is valid, the problems otherwise, and the line of
    /// `name:` (1 when absent) for problems found across files, such as duplicate names.
    struct Outcome {
        var job: JobDefinition?
        var errors: [JobFileError]
        var nameLine: Int
    }

    static func read(path: String) -> Outcome {
        guard let data = FileManager.default.contents(atPath: path) else {
            let why = FileManager.default.fileExists(atPath: path) ? "cannot be read (check its permissions)" : "does not exist"
            return Outcome(errors: [JobFileError(file: path, line: 0, message: "the job file \(why)")], nameLine: 1)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return Outcome(errors: [JobFileError(file: path, line: 0, message: "the job file is not UTF-8 text")], nameLine: 1)
        }
        return read(yaml: text, file: path)
    }

    static func read(yaml: String, file: String) -> Outcome {
        let reader = JobFileReader(file: file)
        guard let root = reader.compose(yaml) else { return Outcome(errors: reader.errors, nameLine: 1) }
        reader.scanLiteralSecrets(root)
        guard let top = reader.map(root, path: "", line: 1) else { return Outcome(errors: reader.errors, nameLine: 1) }
        reader.checkKeys(top, allowed: topLevelKeys)

        _ = reader.string(top, "description")
        let name = readName(reader, top)
        let schedule = readSchedule(reader, top)
        let timezone = readTimeZone(reader, top)
        let jitter = reader.duration(top, "jitter", allowZero: true, max: 86_400) ?? 0
        let maxRun = reader.duration(top, "max_run_time", max: 7 * 86_400) ?? JobDefinition.defaultMaxRunSeconds
        let source = reader.childMap(top, "source", required: true).flatMap { readSource(reader, $0) }
        let target = readTarget(reader, top, source: source, jobName: name)
        let http = readHTTP(reader, top)
        let maxStaleness = reader.duration(top, "max_staleness", max: 366 * 86_400)
        let repairBudget = reader.int(top, "repair_budget", in: 0...100_000)
        let retention = readRetention(reader, top, source: source)
        let tenant = readTenant(reader, top, target: target)

        let nameLine = top.entry("name")?.line ?? 1
        guard reader.errors.isEmpty, let name, let schedule, var source else {
            return Outcome(errors: reader.errors, nameLine: nameLine)
        }
        if let retention, case .citrixMonitor(var citrix) = source {
            citrix.retentionSeconds = retention
            source = .citrixMonitor(citrix)
        }
        let job = JobDefinition(name: name, file: file, schedule: schedule, timezone: timezone, jitterSeconds: jitter,
                                target: target, http: http, source: source, maxRunSeconds: maxRun,
                                maxStalenessSeconds: maxStaleness, repairBudget: repairBudget, tenant: tenant)
        return Outcome(job: job, errors: [], nameLine: nameLine)
    }

    // MARK: Top level

    /// `retention:` says how long the API keeps data, which only the Citrix Monitor service leaves to the
    /// tenant (Power BI keeps 28 days; feeds and WS1 keep history).
    private static func readRetention(_ reader: JobFileReader, _ top: JobFileMap, source: SourceSettings?) -> Double? {
        guard let entry = top.entry("retention") else { return nil }
        guard let value = reader.duration(top, "retention", max: 3650 * 86_400) else { return nil }
        switch source {
        case .citrixMonitor, nil:
            return value
        case .powerBIActivity:
            reader.fail(at: entry.value, "retention applies to citrix-monitor jobs: the Power BI activity API keeps 28 days, "
                + "which Sluice already knows")
        case .cursorFeed, .ws1Intelligence:
            reader.fail(at: entry.value, "retention applies to citrix-monitor jobs: \(source!.typeName) keeps history, "
                + "so its gaps never expire")
        }
        return nil
    }

    /// The file's stem: `jobs/ws1-devices.yaml` → `ws1-devices`.
    static func stem(of file: String) -> String {
        var base = file.split(separator: "/").last.map(String.init) ?? file
        for suffix in [".yaml", ".yml"] where base.hasSuffix(suffix) {
            base.removeLast(suffix.count)
        }
        return base
    }

    static func isJobName(_ text: String) -> Bool {
        let lowerOrDigit: (Character) -> Bool = { JobFileReader.isLowerLetter($0) || JobFileReader.isDigit($0) }
        return JobFileReader.matches(text, first: lowerOrDigit, rest: { lowerOrDigit($0) || $0 == "_" || $0 == "-" })
    }

    private static func readName(_ reader: JobFileReader, _ top: JobFileMap) -> String? {
        let rule = "lower-case letters, digits, _ and -, starting with a letter or digit ([a-z0-9][a-z0-9_-]*)"
        if let entry = top.entry("name") {
            guard let text = reader.nonEmptyString(top, "name", required: true) else { return nil }
            guard isJobName(text) else {
                reader.fail(at: entry.value, "job name '\(text)' must be \(rule)")
                return nil
            }
            return text
        }
        let fromFile = stem(of: reader.file)
        guard isJobName(fromFile) else {
            reader.fail(line: 0, "job name '\(fromFile)' comes from the file name and must be \(rule); "
                + "rename the file or add name:")
            return nil
        }
        return fromFile
    }

    private static func readSchedule(_ reader: JobFileReader, _ top: JobFileMap) -> Schedule? {
        guard let text = reader.string(top, "schedule", required: true), let node = top.entry("schedule")?.value else {
            return nil
        }
        let trimmed = text.trimmingWhitespace()
        do {
            return try Schedule.parse(trimmed)
        } catch {
            if trimmed.lowercased().hasPrefix("every") {
                let interval = String(trimmed.dropFirst("every".count)).trimmingWhitespace()
                reader.fail(at: node, "schedule '\(trimmed)': '\(interval)' is not a duration above zero "
                    + "(write e.g. every 15m, every 1h, every 1d)")
            } else {
                reader.fail(at: node, "schedule '\(trimmed)' is neither 'every <duration>' nor a valid 5-field cron "
                    + "expression: \(cronProblem(error))")
            }
            return nil
        }
    }

    /// Takes `any Error` so this compiles whether or not the cron parser declares a typed throw.
    private static func cronProblem(_ error: any Error) -> String {
        (error as? CronError)?.message ?? String(describing: error)
    }

    private static func readTimeZone(_ reader: JobFileReader, _ top: JobFileMap) -> String {
        guard let text = reader.nonEmptyString(top, "timezone") else { return "UTC" }
        guard TimeZones.named(text) != nil else {
            reader.fail(at: top.entry("timezone")!.value,
                        "timezone '\(text)' is not an IANA time zone name (e.g. UTC, Europe/Berlin, America/New_York)")
            return "UTC"
        }
        return text
    }

    // MARK: target and http

    private static func readTarget(_ reader: JobFileReader, _ top: JobFileMap, source: SourceSettings?,
                                   jobName: String?) -> TargetSettings {
        var target = TargetSettings()
        guard let map = reader.childMap(top, "target") else {
            checkDefaultTable(reader, target: target, source: source, jobName: jobName)
            return target
        }
        reader.checkKeys(map, allowed: targetKeys)
        if let table = reader.nonEmptyString(map, "table") {
            reader.checkTableName(table, path: "target.table", at: map.entry("table")!.value)
            target.table = table
        }
        target.mode = reader.choice(map, "mode", LoadMode.allCases.map(\.rawValue)).flatMap(LoadMode.init(rawValue:))
        target.primaryKey = reader.stringList(map, "primary_key") ?? []
        target.columns = readColumns(reader, map)
        if let keep = reader.int(map, "keep_snapshots", in: 1...Int.max) {
            target.keepSnapshots = keep
            let natural: LoadMode = if case .ws1Intelligence = source { .snapshot } else { .upsert }
            if (target.mode ?? natural) != .snapshot {
                reader.fail(at: map.entry("keep_snapshots")!.value, "target.keep_snapshots only applies to mode: snapshot")
            }
        }
        readPrivacy(reader, map, source: source, into: &target)
        checkDefaultTable(reader, target: target, source: source, jobName: jobName)
        return target
    }

    /// A job named `sluice-x` would default to the reserved table `sluice_x`; Citrix names tables per entity.
    private static func checkDefaultTable(_ reader: JobFileReader, target: TargetSettings, source: SourceSettings?,
                                          jobName: String?) {
        guard target.table == nil, let jobName, let source else { return }
        if case .citrixMonitor = source { return }
        let table = JobDefinition(name: jobName, file: reader.file, schedule: .every(seconds: 1),
                                  target: target, source: source).defaultTable
        if let problem = JobFileReader.tableNameProblem(table) {
            reader.fail(line: 1, "the default table name (from the job name) \(problem); set target.table")
        }
    }

    private static func readColumns(_ reader: JobFileReader, _ target: JobFileMap) -> [String: ColumnType] {
        guard let map = reader.childMap(target, "columns") else { return [:] }
        let names = ColumnType.allCases.map { $0.rawValue.lowercased() }
        var columns: [String: ColumnType] = [:]
        for entry in map.entries {
            guard let text = reader.scalarText(entry.value, path: map.keyPath(entry.key)) else { continue }
            guard let type = ColumnType(jobFileName: text.trimmingWhitespace()) else {
                var message = "\(map.keyPath(entry.key)): unknown column type '\(text)' (one of \(names.joined(separator: ", ")))"
                if let near = JobFileReader.suggestion(for: text, among: names) { message += "; did you mean '\(near)'?" }
                reader.fail(at: entry.value, message)
                continue
            }
            columns[entry.key] = type
        }
        return columns
    }

    private static func readHTTP(_ reader: JobFileReader, _ top: JobFileMap) -> HTTPSettings {
        var http = HTTPSettings()
        guard let map = reader.childMap(top, "http") else { return http }
        reader.checkKeys(map, allowed: httpKeys)
        if let timeout = reader.duration(map, "timeout", max: 86_400) { http.timeoutSeconds = timeout }
        if let attempts = reader.int(map, "max_attempts", in: 1...20) { http.maxAttempts = attempts }
        if let text = reader.nonEmptyString(map, "rate_limit") {
            if let limit = RateLimit(parsing: text) {
                http.rateLimit = limit
            } else {
                reader.fail(at: map.entry("rate_limit")!.value,
                            "http.rate_limit '\(text)' must be requests/duration, e.g. 600/15m or 200/1h")
            }
        }
        if let text = reader.nonEmptyString(map, "min_transfer_rate") {
            if let rate = TransferRate(parsing: text) {
                http.minTransferRate = rate
            } else {
                reader.fail(at: map.entry("min_transfer_rate")!.value,
                            "http.min_transfer_rate '\(text)' must be size/duration with a duration from 1s to 1d, "
                                + "e.g. 1KB/1m or 100KiB/30s")
            }
        }
        return http
    }
}
