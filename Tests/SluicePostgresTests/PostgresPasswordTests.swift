import Foundation
import SluiceCore
import Testing
@testable import SluicePostgres

/// The warehouse password comes from a secret reference, is registered with the redactor, and errors name where it
/// should be, never what it is.
@Suite("PostgreSQL password")
struct PostgresPasswordTests {
    @Test func theVariableWinsThenTheFileThenTheCredential() throws {
        let folder = NSTemporaryDirectory() + "sluice-pw-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "from-file\n".write(toFile: folder + "/file", atomically: true, encoding: .utf8)
        try "from-credential".write(toFile: folder + "/warehouse_password", atomically: true, encoding: .utf8)
        let redactor = Redactor()
        let all = ["SLUICE_WAREHOUSE_PASSWORD": "from-env", "SLUICE_WAREHOUSE_PASSWORD_FILE": folder + "/file",
                   "CREDENTIALS_DIRECTORY": folder]
        #expect(try PostgresPassword.resolve(environment: all, redactor: redactor) == "from-env")
        var rest = all
        rest["SLUICE_WAREHOUSE_PASSWORD"] = nil
        #expect(try PostgresPassword.resolve(environment: rest, redactor: redactor) == "from-file")
        rest["SLUICE_WAREHOUSE_PASSWORD_FILE"] = nil
        #expect(try PostgresPassword.resolve(environment: rest, redactor: redactor) == "from-credential")
        #expect(try PostgresPassword.resolve(environment: [:], redactor: redactor) == nil)
        #expect(redactor.redact("a from-env b from-file c from-credential") == "a [REDACTED] b [REDACTED] c [REDACTED]")
    }

    @Test func anUnreadableSourceIsAConfigurationErrorNamingIt() {
        let error = #expect(throws: SluiceError.self) {
            try PostgresPassword.resolve(environment: ["SLUICE_WAREHOUSE_PASSWORD_FILE": "/nonexistent/pw"], redactor: Redactor())
        }
        #expect(error?.kind == .config && error?.message.contains("/nonexistent/pw") == true)
        let empty = #expect(throws: SluiceError.self) {
            try PostgresPassword.resolve(environment: ["SLUICE_WAREHOUSE_PASSWORD": ""], redactor: Redactor())
        }
        #expect(empty?.message.contains("SLUICE_WAREHOUSE_PASSWORD") == true)
    }
}
