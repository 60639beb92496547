import Testing
@testable import SluiceCore

/// A valid cursor-feed job; tests append or replace lines to break it in one place.
let minimalJob = """
    schedule: every 1h
    source:
      type: cursor-feed
      base_url: https://feed.example.com/api/bi/v1
      dataset: access-requests
    """

/// The problems `decode` reports for `yaml` (empty when the file is valid).
func problems(_ yaml: String, file: String = "jobs/test.yaml") -> [JobFileError] {
    do {
        _ = try JobFileDecoder.decode(yaml: yaml, file: file)
        return []
    } catch {
        return error.errors
    }
}

/// The one problem of `yaml`; records an issue when there is not exactly one.
func onlyProblem(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) -> JobFileError? {
    let found = problems(yaml)
    #expect(found.count == 1, "expected one problem, got: \(found)", sourceLocation: sourceLocation)
    return found.first
}

@Suite struct JobFileDecoderTests {
    @Test func minimalJobDecodesWithDefaults() throws {
        let job = try JobFileDecoder.decode(yaml: minimalJob, file: "jobs/foreman-access.yaml")
        #expect(job.name == "foreman-access")
        #expect(job.file == "jobs/foreman-access.yaml")
        #expect(job.schedule == .every(seconds: 3600))
        #expect(job.timezone == "UTC")
        #expect(job.jitterSeconds == 0)
        #expect(job.target == TargetSettings())
        #expect(job.http == HTTPSettings())
    }

    @Test func unknownKeyIsReportedAtItsLineWithASuggestion() {
        let yaml = "name: devices\nscheduel: every 1h\n" + minimalJob
        let error = problems(yaml).first { $0.message.hasPrefix("unknown key") }
        #expect(error?.description == "jobs/test.yaml:2: unknown key 'scheduel' in job (did you mean 'schedule'?)")
        #expect(error?.column == 1)
    }

    @Test func unknownKeyInsideABlockNamesTheBlock() {
        let error = onlyProblem(minimalJob + "\n  page_sise: 50")
        #expect(error?.line == 6)
        #expect(error?.message == "unknown key 'page_sise' in source (did you mean 'page_size'?)")
    }

    @Test func unknownKeyFarFromEveryKnownKeyHasNoSuggestion() {
        let error = onlyProblem(minimalJob + "\ncolour: blue")
        #expect(error?.message == "unknown key 'colour' in job")
    }

    @Test func missingRequiredKeyIsReportedAtTheParentLine() {
        let yaml = """
            schedule: every 1h
            source:
              type: cursor-feed
              base_url: https://feed.example.com
            """
        let error = onlyProblem(yaml)
        #expect(error?.line == 2)
        #expect(error?.message == "missing required key 'dataset' in source")
    }

    @Test func missingScheduleIsReportedAtTheTop() {
        let yaml = minimalJob.split(separator: "\n").dropFirst().joined(separator: "\n")
        let error = onlyProblem(yaml)
        #expect(error?.line == 1)
        #expect(error?.message == "missing required key 'schedule' in job")
    }

    @Test func wrongScalarTypeIsReportedAtTheValueLine() {
        let found = problems(minimalJob + "\nhttp:\n  timeout: 30s\n  max_attempts: lots\n")
        #expect(found.map(\.line) == [8])
        #expect(found.first?.message == "http.max_attempts must be a whole number from 1 to 20, not 'lots'")

        let list = onlyProblem(minimalJob + "\n  page_size: [1, 2]")
        #expect(list?.line == 6)
        #expect(list?.message == "source.page_size must be a single value, not a list")
    }

    @Test func maxAttemptsAboveTwentyIsRejected() {
        #expect(onlyProblem(minimalJob + "\nhttp:\n  max_attempts: 21")?.line == 7)
    }

    @Test func badDurationIsReportedAtItsLine() {
        let error = onlyProblem("jitter: 5 parsecs\n" + minimalJob)
        #expect(error?.line == 1)
        #expect(error?.message.contains("'5 parsecs' is not a duration") == true)
    }

    @Test func everyScheduleNeedsAPositiveDuration() {
        let error = onlyProblem(minimalJob.replacingAll("every 1h", with: "every 0s"))
        #expect(error?.line == 1)
        #expect(error?.message.contains("is not a duration above zero") == true)
    }

    @Test func cronScheduleIsAccepted() throws {
        let job = try JobFileDecoder.decode(yaml: minimalJob.replacingAll("every 1h", with: "\"15 */2 * * *\""),
                                            file: "jobs/cron.yaml")
        #expect(job.schedule.description == "15 */2 * * *")
    }

    @Test func badCronIsReportedWithTheParserMessage() {
        let error = onlyProblem(minimalJob.replacingAll("every 1h", with: "\"15 */2 *\""))
        #expect(error?.line == 1)
        #expect(error?.message.hasPrefix("schedule '15 */2 *' is neither 'every <duration>' nor a valid 5-field cron expression: ") == true)
    }

    @Test func unquotedCronGetsAQuotingHint() {
        let error = onlyProblem(minimalJob.replacingAll("every 1h", with: "*/15 * * * *"))
        #expect(error?.line == 1)
        #expect(error?.message.hasSuffix("(quote values that start with *, e.g. schedule: \"*/15 * * * *\")") == true)
    }

    @Test func unknownTimeZoneIsRejected() {
        let error = onlyProblem(minimalJob + "\ntimezone: Mars/Olympus_Mons")
        #expect(error?.line == 6)
        #expect(error?.message.contains("'Mars/Olympus_Mons' is not an IANA time zone name") == true)
    }

    @Test func ianaTimeZoneIsKept() throws {
        let job = try JobFileDecoder.decode(yaml: minimalJob + "\ntimezone: Europe/Berlin", file: "jobs/t.yaml")
        #expect(job.timezone == "Europe/Berlin")
    }

    @Test func tableNameMustBeLowerCaseAndNotReserved() {
        let upper = onlyProblem(minimalJob + "\ntarget:\n  table: Devices")
        #expect(upper?.line == 7)
        #expect(upper?.message.hasPrefix("target.table 'Devices' must be lower-case letters") == true)

        let reserved = onlyProblem(minimalJob + "\ntarget:\n  table: sluice_runs")
        #expect(reserved?.message.contains("must not start with sluice_") == true)
    }

    @Test func jobNamedLikeASystemTableNeedsAnExplicitTable() {
        #expect(onlyProblem("name: sluice-x\n" + minimalJob)?.message.contains("set target.table") == true)
    }

    @Test func unknownModeIsRejectedWithASuggestion() {
        let error = onlyProblem(minimalJob + "\ntarget:\n  mode: upsret")
        #expect(error?.line == 7)
        #expect(error?.message == "target.mode must be one of upsert, replace, snapshot, not 'upsret' (did you mean 'upsert'?)")
    }

    @Test func keepSnapshotsNeedsSnapshotMode() {
        let error = onlyProblem(minimalJob + "\ntarget:\n  keep_snapshots: 3")
        #expect(error?.message == "target.keep_snapshots only applies to mode: snapshot")
    }

    @Test func targetBlockDecodes() throws {
        let yaml = minimalJob + """

            target:
              table: foreman_requests
              mode: replace
              primary_key: request_id
              columns: { created: timestamp, amount: decimal, ok: bool }
            """
        let job = try JobFileDecoder.decode(yaml: yaml, file: "jobs/t.yaml")
        #expect(job.target == TargetSettings(table: "foreman_requests", mode: .replace, primaryKey: ["request_id"],
                                             columns: ["created": .timestamp, "amount": .double, "ok": .boolean]))
    }

    @Test func unknownColumnTypeIsRejected() {
        let error = onlyProblem(minimalJob + "\ntarget:\n  columns:\n    created: timestmp")
        #expect(error?.line == 8)
        #expect(error?.message.contains("did you mean 'timestamp'") == true)
    }

    @Test func everyProblemOfAFileIsReportedInLineOrder() {
        let yaml = """
            schedule: every soon
            timezone: Nowhere/City
            source:
              type: cursor-feed
              base_url: https://feed.example.com
              dataset: x
              page_size: 0
            http:
              max_attempts: 99
            """
        #expect(problems(yaml).map(\.line) == [1, 2, 7, 9])
    }

    @Test func invalidYAMLIsReportedWithItsLineAndWithoutItsText() {
        let yaml = "schedule: every 1h\nsource:\n  type: cursor-feed\n   dataset: s3cr3t-looking-text: [\n"
        let error = onlyProblem(yaml)
        #expect((error?.line ?? 0) >= 3)
        #expect(error?.description.contains("s3cr3t") == false)
    }

    @Test func duplicateKeysAreRejected() {
        let error = onlyProblem(minimalJob + "\nschedule: every 2h")
        #expect(error?.message.contains("duplicate key 'schedule'") == true)
    }

    @Test func emptyFileIsRejected() {
        #expect(onlyProblem("")?.message.contains("the file is empty") == true)
    }

    @Test func jobNameComesFromTheFileStemUnlessGiven() throws {
        #expect(try JobFileDecoder.decode(yaml: minimalJob, file: "/etc/sluice/jobs/pbi_activity.yml").name == "pbi_activity")
        #expect(try JobFileDecoder.decode(yaml: "name: renamed\n" + minimalJob, file: "jobs/Bad Name.yaml").name == "renamed")
        let stem = problems(minimalJob, file: "jobs/Bad Name.yaml")
        #expect(stem.map(\.description) == ["jobs/Bad Name.yaml: job name 'Bad Name' comes from the file name and must be "
            + "lower-case letters, digits, _ and -, starting with a letter or digit ([a-z0-9][a-z0-9_-]*); rename the file or add name:"])
        #expect(onlyProblem("name: -dash\n" + minimalJob)?.line == 1)
    }

    @Test func rateLimitAndTimeoutDecode() throws {
        let job = try JobFileDecoder.decode(yaml: minimalJob + "\nhttp:\n  timeout: 90s\n  rate_limit: 600/15m", file: "jobs/t.yaml")
        #expect(job.http == HTTPSettings(timeoutSeconds: 90, maxAttempts: 6, rateLimit: RateLimit(requests: 600, perSeconds: 900)))
        #expect(onlyProblem(minimalJob + "\nhttp:\n  rate_limit: lots")?.line == 7)
    }
}
