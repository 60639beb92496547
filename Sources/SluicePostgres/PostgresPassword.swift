import Foundation
package import SluiceCore

/// Where the warehouse password comes from: a secret reference like every other secret, never the URL.
///
/// The first of these that is set wins:
/// 1. `SLUICE_WAREHOUSE_PASSWORD` (the environment variable);
/// 2. `SLUICE_WAREHOUSE_PASSWORD_FILE` (a path; the file's text, trailing newline removed);
/// 3. the credential `warehouse_password` (`$CREDENTIALS_DIRECTORY/warehouse_password`, from systemd's
///    `LoadCredential=warehouse_password:/path` or `LoadCredentialEncrypted=`).
///
/// None of them: no password (trust, peer or certificate authentication). The value read is registered with the
/// ``Redactor`` before it is used, so it can reach no log line, error or `status` output.
package enum PostgresPassword {
    /// The systemd credential name.
    package static let credentialName = "warehouse_password"
    package static let variable = "SLUICE_WAREHOUSE_PASSWORD"
    package static let fileVariable = "SLUICE_WAREHOUSE_PASSWORD_FILE"

    /// Where the password is read from, for messages ("SLUICE_WAREHOUSE_PASSWORD"), or nil when none is set.
    package static func source(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        reference(environment: environment).map(\.description)
    }

    /// Reads the password (nil when no source is set).
    ///
    /// - Throws: ``SluiceError`` of kind `.config` naming the source that cannot be read, never a value.
    package static func resolve(environment: [String: String] = ProcessInfo.processInfo.environment,
                               redactor: Redactor = .shared) throws(SluiceError) -> String? {
        guard let ref = reference(environment: environment) else { return nil }
        do {
            return try SecretResolver(environment: environment, redactor: redactor)
                .resolve(ref, job: "", key: "warehouse password")
        } catch {
            throw SluiceError(.config, step: "warehouse password", error.message)
        }
    }

    private static func reference(environment: [String: String]) -> SecretRef? {
        if environment[variable] != nil { return .env(variable) }
        if let path = environment[fileVariable], !path.isEmpty { return .file(path) }
        if let folder = environment["CREDENTIALS_DIRECTORY"], !folder.isEmpty,
           FileManager.default.fileExists(atPath: folder + "/" + credentialName) {
            return .credential(credentialName)
        }
        return nil
    }
}
