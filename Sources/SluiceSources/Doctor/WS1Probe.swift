import SluiceCore
import SluiceWire
import SluiceHTTP

/// `ws1-intelligence`: the service account, its token, and the report's downloads list.
///
/// Requests: one token request, then the downloads list (`POST …/downloads/search`, the run's own paging:
/// one page unless the report keeps more than `page_size` downloads). A report that is not shared with the
/// service account cannot be listed (§1.11): the API answers 403 (authorization failed) or 404 (§1.4).
struct WS1Probe: SourceProbe {
    let settings: WS1Settings

    func checks(_ context: ProbeContext) async -> [DoctorCheck] {
        let job = context.job
        let access: WS1Access
        do {
            access = try WS1Access.resolve(settings, job: job.name, secrets: context.source.secrets)
        } catch {
            return [.fail("credentials", error.message,
                          fix: "download the service account's JSON file again (Intelligence → Settings → Service Accounts)")]
        }
        let authorizer = access.credentials().authorizer(fetcher: context.fetcher, caches: context.source.tokens)
        let token = await tokenCheck(authorizer, wording: TokenWording(
            service: "Intelligence", tokenURL: access.tokenURL,
            rejectedFix: "check client_id and client_secret (or the service-account file); a regenerated secret "
                + "invalidates the old one: Intelligence → Settings → Service Accounts",
            refusedFix: "check token_url (or the region) against the tokenEndpoint of the service-account file"))
        guard token.outcome == .pass else { return [token] }

        let session = WS1Session(access: access, settings: settings, fetcher: context.fetcher, authorizer: authorizer)
        let report = "report \(settings.reportID)"
        let downloads: [WS1Download]
        do {
            downloads = try await session.listAll()
        } catch {
            return [token, ProbeFailure.check("report", error, target: report) { error in
                switch error.status {
                case 403:
                    return .fail("report", "Intelligence refused to list the downloads of \(report) (HTTP 403): "
                                     + "it is not shared with the service account",
                                 fix: "share the report with the service account in Intelligence (open the report → Share)")
                case 404:
                    return .fail("report", "Intelligence does not know \(report) (HTTP 404): the id is wrong, or the "
                                     + "report is not shared with the service account",
                                 fix: "check report_id (the id in the report's address in Intelligence) and share the "
                                     + "report with the service account")
                default:
                    return nil
                }
            }]
        }
        let shared = DoctorCheck.pass("report", "\(report) is shared with the service account "
                                          + "(\(downloads.count) download\(downloads.count == 1 ? "" : "s") listed)")
        return [token, shared, Self.newestDownload(downloads, runReport: settings.runReport, now: context.now)]
    }

    /// The download a run would load, and how old it is.
    static func newestDownload(_ downloads: [WS1Download], runReport: Bool, now: Double) -> DoctorCheck {
        guard let newest = WS1DownloadSelection.newestCompleted(downloads) else {
            if runReport {
                return .pass("download", "no COMPLETED download yet; run_report: true asks Intelligence to run the report")
            }
            return .fail("download", "no COMPLETED download yet (\(downloads.count) listed, none COMPLETED): a run "
                             + "would have nothing to load",
                         fix: "schedule the report in Intelligence (or run it once there), or set run_report: true")
        }
        guard let at = newest.modifiedAt ?? newest.createdAt else {
            return .pass("download", "newest COMPLETED download \(newest.id) (no date given)")
        }
        let when = newest.producedAtText.map { " (\($0) UTC)" } ?? ""
        return .pass("download", "newest COMPLETED download is \(DoctorText.age(now - at)) old\(when)")
    }
}
