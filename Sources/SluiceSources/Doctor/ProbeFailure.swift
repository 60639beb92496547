import SluiceCore
import Foundation

/// Turns the error of a failed probe request into a checklist line with its fix.
///
/// The outcome is decided by the error's kind and HTTP status, set where the error was born (the fetcher);
/// the message only supplies the detail. What every source shares lives here: an unreachable host, a timeout,
/// throttling, a server error. The probes add their own words for 401, 403 and 404.
enum ProbeFailure {
    /// The line for a request of check `name` that failed with `error`; `specific` answers first for the
    /// statuses the source has its own words for.
    static func check(_ name: String, _ error: any Error, target: String,
                      specific: (SluiceError) -> DoctorCheck? = { _ in nil }) -> DoctorCheck {
        guard let error = error as? SluiceError else {
            return .fail(name, "\(target): \(Redactor.shared.redact(String(describing: error)))",
                         fix: "run sluice doctor again with --verbose to see every request")
        }
        if let answer = specific(error) { return answer }
        let status = error.status.map { "HTTP \($0)" }
        switch error.kind {
        case .network where error.status == nil:
            return .fail(name, "cannot reach \(target): \(error.message)",
                         fix: "check the URL in the job file and that this machine reaches that host (DNS, proxy, firewall)")
        case .network:
            return .warn(name, "\(target) answered with a server error (\(status ?? "5xx")): \(error.message)",
                         fix: "the service has trouble right now; run sluice doctor again later")
        case .timeout:
            return .fail(name, "\(target) did not answer in time: \(error.message)",
                         fix: "check the network path to the host; raise http.timeout if the service is only slow")
        case .rateLimited:
            return .warn(name, "\(target) is throttling this client (\(status ?? "429")): \(error.message)",
                         fix: "the API's budget is spent for now (other jobs or scripts share it); run sluice doctor again later")
        case .auth:
            return .fail(name, "\(target) rejected the token (\(status ?? "401")): \(error.message)",
                         fix: "check the secret and the API client's permissions")
        case .forbidden:
            return .fail(name, "\(target) refused access (\(status ?? "403")): \(error.message)",
                         fix: "give the API client the permission this read needs")
        case .notFound:
            return .fail(name, "\(target) was not found (\(status ?? "404")): \(error.message)",
                         fix: "check the URL and the names in the job file")
        case .config:
            return .fail(name, error.message, fix: "fix the job file (sluice validate checks it)")
        case .cancelled:
            return .warn(name, "interrupted: \(error.message)", fix: "run sluice doctor again")
        case .badResponse, .badData, .warehouse:
            return .fail(name, "the answer from \(target) cannot be used: \(error.message)",
                         fix: "check that the URL in the job file points at the API itself (not a proxy or login page)")
        }
    }

    /// The line for a token request that failed: 400/401 say plainly that the client was rejected.
    static func token(_ error: any Error, wording: TokenWording) -> DoctorCheck {
        check("token", error, target: "the token endpoint \(wording.host)") { error in
            guard error.kind == .auth || error.status == 400 || error.status == 401 else { return nil }
            let code = oauthErrorCode(in: error.message)
            let answer = ["HTTP \(error.status ?? 401)", code].compactMap { $0 }.joined(separator: ", ")
            if error.status == 401 || ["invalid_client", "unauthorized_client"].contains(code ?? "") {
                return .fail("token", "\(wording.service) rejected the client id/secret (\(answer))", fix: wording.rejectedFix)
            }
            return .fail("token", "\(wording.service) refused the token request (\(answer)): \(excerpt(error.message))",
                         fix: wording.refusedFix)
        }
    }

    /// The OAuth `error` code (`invalid_client`) quoted in an error message, for the detail only: the outcome
    /// never depends on it.
    static func oauthErrorCode(in message: String) -> String? {
        guard let key = message.range(of: "\"error\":\"") else { return nil }
        let code = message[key.upperBound...].prefix { $0 != "\"" }
        guard !code.isEmpty, code.count <= 64, code.allSatisfy({ $0.isLetter || $0 == "_" }) else { return nil }
        return String(code)
    }

    /// The server's part of a fetcher message (`HTTP 400 from <url>: <body>` → `<body>`), at most 200 characters.
    static func excerpt(_ message: String) -> String {
        var tail = message
        if let from = message.range(of: " from "), let colon = message[from.upperBound...].range(of: ": ") {
            tail = String(message[colon.upperBound...])
        }
        return tail.count > 200 ? String(tail.prefix(200)) + "…" : tail
    }
}
