import Foundation

/// Reads the secrets a job file refers to (``SecretRef``) at the moment they are needed.
///
/// Every value read is registered with the ``Redactor`` before it is returned, so it cannot reach a log
/// line or an error afterwards. Errors name where the secret should be (variable, path, credential), never
/// what it is.
package final class SecretResolver: Sendable {
    private let environment: [String: String]
    private let credentialsDirectory: String?
    private let redactor: Redactor

    /// - Parameters:
    ///   - environment: Where `{env: NAME}` looks; the process environment by default.
    ///   - credentialsDirectory: Where `{credential: name}` looks; nil means `environment["CREDENTIALS_DIRECTORY"]`,
    ///     which systemd sets for a service that has `LoadCredential=`.
    ///   - redactor: Receives every resolved value.
    package init(environment: [String: String] = ProcessInfo.processInfo.environment, credentialsDirectory: String? = nil,
                redactor: Redactor = .shared) {
        self.environment = environment
        let directory = credentialsDirectory ?? environment["CREDENTIALS_DIRECTORY"]
        self.credentialsDirectory = directory?.isEmpty == false ? directory : nil
        self.redactor = redactor
    }

    /// The secret `ref` points to, for the job file key `key` of job `job`.
    ///
    /// - Throws: ``SluiceError`` of kind `.configuration`, step `secret <key>`, saying what is missing.
    package func resolve(_ ref: SecretRef, job: String, key: String) throws(SluiceError) -> String {
        let value: String
        switch ref {
        case .env(let name):
            guard let text = environment[name] else {
                throw failure(job, key, "environment variable \(name) is not set")
            }
            guard !text.isEmpty else { throw failure(job, key, "environment variable \(name) is set but empty") }
            value = text
        case .file(let path):
            value = try readSecretFile(path, job: job, key: key, describe: "secret file \(path)")
        case .credential(let name):
            guard let directory = credentialsDirectory else {
                throw failure(job, key, "credential '\(name)' needs $CREDENTIALS_DIRECTORY, which is not set: systemd "
                    + "sets it for a service with LoadCredential=\(name):/path/to/secret; outside systemd use "
                    + "{env: NAME} or {file: /path}")
            }
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            guard FileManager.default.fileExists(atPath: path) else {
                throw failure(job, key, "credential '\(name)' is not in $CREDENTIALS_DIRECTORY (\(directory)); add "
                    + "LoadCredential=\(name):/path/to/secret to the service")
            }
            value = try readSecretFile(path, job: job, key: key, describe: "credential '\(name)' (\(path))")
        }
        redactor.register(value)
        return value
    }

    /// Warnings about secrets anyone on the machine can read: the job file is world-readable and a
    /// `{file:}` secret it names is world-readable too.
    package func fileWarnings(for job: JobDefinition) -> [String] {
        guard Self.isWorldReadable(job.file) else { return [] }
        return job.secrets.compactMap { key, ref in
            guard case .file(let path) = ref, Self.isWorldReadable(path) else { return nil }
            return "job '\(job.name)': the job file \(job.file) and the \(key) secret file \(path) are both readable "
                + "by every user; run chmod o-r \(path) (or use {credential: name} with LoadCredential=)"
        }
    }

    // MARK: Private

    private func failure(_ job: String, _ key: String, _ message: String) -> SluiceError {
        SluiceError(.config, job: job, step: "secret \(key)", message)
    }

    /// The file's text without trailing newlines (editors and `echo` add one; no secret ends with one).
    private func readSecretFile(_ path: String, job: String, key: String, describe: String) throws(SluiceError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            let why = FileManager.default.fileExists(atPath: path)
                ? "cannot be read by this user (check its owner and permissions)" : "does not exist"
            throw failure(job, key, "\(describe) \(why)")
        }
        guard var text = String(data: data, encoding: .utf8) else {
            throw failure(job, key, "\(describe) is not UTF-8 text")
        }
        while let last = text.last, last == "\n" || last == "\r" || last == "\r\n" { text.removeLast() }
        guard !text.isEmpty else { throw failure(job, key, "\(describe) is empty") }
        return text
    }

    static func isWorldReadable(_ path: String) -> Bool {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue else { return false }
        return mode & 0o004 != 0
    }
}
