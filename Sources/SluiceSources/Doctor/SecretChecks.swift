import SluiceCore

/// The `secrets` part of a job's checklist: every reference resolves, named by where it points, never by
/// what it holds.
enum SecretChecks {
    /// ✔ when every reference of the job resolves; one ✘ per reference that does not, saying which one and
    /// what is missing (`client_secret {env: WS1_CLIENT_SECRET}: environment variable WS1_CLIENT_SECRET is not
    /// set`); a ! when a world-readable job file names a world-readable secret file.
    static func check(_ job: JobDefinition, secrets: SecretResolver) -> [DoctorCheck] {
        let refs = job.secrets
        guard !refs.isEmpty else { return [.pass("secrets", "none needed")] }
        var failures: [DoctorCheck] = []
        for (key, ref) in refs {
            do {
                _ = try secrets.resolve(ref, job: job.name, key: key)
            } catch {
                failures.append(.fail("secrets", "\(key) \(ref): \(error.message)", fix: fix(for: ref)))
            }
        }
        guard failures.isEmpty else { return failures }
        let named = refs.map { "\($0.key) \($0.ref)" }.joined(separator: ", ")
        var checks = [DoctorCheck.pass("secrets", named + (refs.count == 1 ? " resolves" : " resolve"))]
        for warning in secrets.fileWarnings(for: job) {
            checks.append(.warn("secret files", warning))
        }
        return checks
    }

    /// The one thing to do about a reference that does not resolve.
    static func fix(for ref: SecretRef) -> String {
        switch ref {
        case .env(let name):
            return "set \(name) in the environment sluice runs in (for the service, prefer LoadCredential= and "
                + "{credential: …}: unit files are readable by everyone)"
        case .file(let path):
            return "put the secret into \(path), readable only by the user sluice runs as (chmod 0400)"
        case .credential(let name):
            return "add LoadCredential=\(name):/path/to/secret to the service (outside systemd: set "
                + "CREDENTIALS_DIRECTORY, or use {env: NAME} or {file: /path})"
        }
    }
}
