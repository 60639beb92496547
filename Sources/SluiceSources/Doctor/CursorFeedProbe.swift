import SluiceCore
import SluiceWire
import SluiceHTTP

/// `cursor-feed`: the first page with a page size of 1, with the job's static token.
///
/// One request, built like a run's first page (no since value, the job's parameter names). The token is
/// static, so there is no token endpoint: a 401 on that page is the token check.
struct CursorFeedProbe: SourceProbe {
    let settings: CursorFeedSettings

    func checks(_ context: ProbeContext) async -> [DoctorCheck] {
        let job = context.job
        var authorizer: (any Authorizer)?
        if let ref = settings.token {
            do {
                authorizer = StaticBearer(token: try context.source.secrets.resolve(ref, job: job.name, key: "token"))
            } catch {
                return [.fail("token", error.message, fix: SecretChecks.fix(for: ref))]
            }
        }
        let source = CursorFeedSource(settings: settings, context: context.source)
        let step = "first page of \(settings.dataset)"
        let target = "the feed \(settings.dataset) at \(URLParts(settings.baseURL)?.hostAndPort ?? Redactor.safeURL(settings.baseURL))"
        do {
            let response = try await context.fetcher.send(
                HTTPRequest(method: "GET", url: source.pageURL(since: nil, pageSize: 1, cursor: nil),
                            headers: [HTTPHeader("Accept", "application/json")], step: step),
                authorizer: authorizer)
            let page = try FeedPage.parse(response.body, step: step)
            var facts = ["\(page.rows.count) row\(page.rows.count == 1 ? "" : "s")"]
            if let version = page.schemaVersion { facts.append("schemaVersion \(version)") }
            facts.append(page.nextCursor == nil ? "no nextCursor" : "a nextCursor follows")
            if let first = page.rows.first, first[settings.updatedField] == nil {
                return [.warn("first page", "\(target) answered (\(facts.joined(separator: ", "))) but the row has "
                                  + "no '\(settings.updatedField)' field, which the watermark follows",
                              fix: "set updated_field: to the row field that holds the update time")]
            }
            return [.pass("first page", "\(target) answered with page_size 1: \(facts.joined(separator: ", "))")]
        } catch {
            return [ProbeFailure.check("first page", error, target: target) { error in
                switch error.status {
                case 401:
                    return .fail("first page", "\(target) rejected the token (HTTP 401)",
                                 fix: settings.token.map { "check the token \($0): it is sent as Authorization: Bearer" }
                                     ?? "the feed wants a token: add token: {env: NAME} (or file:/credential:) to source")
                case 404:
                    return .fail("first page", "\(target) does not exist (HTTP 404)",
                                 fix: "check base_url and dataset: Sluice asks GET {base_url}/{dataset}")
                default:
                    return nil
                }
            }]
        }
    }
}
