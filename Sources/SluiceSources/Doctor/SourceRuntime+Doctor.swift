package import Logging
package import SluiceCore
import SluiceHTTP

extension SourceRuntime {
    /// The doctor checklist of one job that loaded: `job file`, `secrets`, then the source's probe (token and
    /// one cheap read), then `clock`, from the `Date` headers of the answers.
    ///
    /// The requests go through this runtime's HTTP client, token caches and rate limiters, like a run's, but
    /// with a fetcher of its own that tries each request at most twice (once for Power BI, whose hourly budget
    /// doctor must not spend), waits at most 10 s for a `Retry-After`, and records the servers' clocks.
    /// Nothing is written anywhere.
    ///
    /// - Parameter now: seconds since the epoch (the age of a WS1 download, today's Power BI window).
    package func examine(_ job: JobDefinition, now: Double, logger: Logger) async -> DoctorSection {
        var section = DoctorSection(kind: .job, title: job.name, source: job.source.typeName, file: job.file,
                                    checks: [.pass("job file", "valid")])
        let secretChecks = SecretChecks.check(job, secrets: secrets)
        section.checks += secretChecks
        guard !secretChecks.contains(where: { $0.outcome == .fail }) else { return section }

        var settings = job.http
        settings.maxAttempts = min(settings.maxAttempts, Self.doctorAttempts(for: job.source))
        let dates = ServerDateLog()
        let fetcher = HTTPFetcher(client: client, job: job.name, settings: settings, logger: logger, redactor: redactor,
                                  observer: dates, maxRetryAfterSeconds: 10)
        let context = ProbeContext(job: job, source: SourceContext(fetcher: fetcher, secrets: secrets, logger: logger,
                                                                   rateLimiters: rateLimiters, tokens: tokens),
                                   now: now)
        let probed = await Self.probe(for: job.source).checks(context)
        section.checks += probed
        section.requests = fetcher.stats.requests
        // Without any answer there is no clock to compare; a line saying so would only repeat the ✘ above.
        if !dates.observations.isEmpty || probed.allSatisfy({ $0.outcome == .pass }) {
            section.checks.append(ClockSkew.check(dates.observations))
        }
        return section
    }

    /// Attempts per doctor request: two, so a passing blip does not fail the checklist; one for Power BI.
    static func doctorAttempts(for source: SourceSettings) -> Int {
        if case .powerBIActivity = source { return 1 }
        return 2
    }

    /// The probe of a source type.
    static func probe(for source: SourceSettings) -> any SourceProbe {
        switch source {
        case .cursorFeed(let settings): return CursorFeedProbe(settings: settings)
        case .ws1Intelligence(let settings): return WS1Probe(settings: settings)
        case .citrixMonitor(let settings): return CitrixProbe(settings: settings)
        case .powerBIActivity(let settings): return PowerBIProbe(settings: settings)
        }
    }
}
