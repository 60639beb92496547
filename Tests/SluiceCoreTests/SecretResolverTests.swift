import Foundation
import Testing
@testable import SluiceCore

@Suite struct SecretResolverTests {
    /// The error `resolve` throws, or nil when it succeeds.
    private func failure(_ resolver: SecretResolver, _ ref: SecretRef) -> SluiceError? {
        do {
            _ = try resolver.resolve(ref, job: "feed", key: "client_secret")
            return nil
        } catch {
            return error
        }
    }

    @Test func environmentSecretIsReadAndRegisteredForRedaction() throws {
        let redactor = Redactor()
        let resolver = SecretResolver(environment: ["FEED_TOKEN": "tok-1234567"], redactor: redactor)
        #expect(try resolver.resolve(.env("FEED_TOKEN"), job: "feed", key: "token") == "tok-1234567")
        #expect(redactor.redact("sent tok-1234567") == "sent [REDACTED]")
    }

    @Test func missingOrEmptyEnvironmentVariableIsAConfigurationError() {
        let resolver = SecretResolver(environment: ["EMPTY": ""], redactor: Redactor())
        let missing = failure(resolver, .env("PBI_CLIENT_SECRET"))
        #expect(missing == SluiceError(.config, job: "feed", step: "secret client_secret",
                                       "environment variable PBI_CLIENT_SECRET is not set"))
        #expect(failure(resolver, .env("EMPTY"))?.message == "environment variable EMPTY is set but empty")
    }

    @Test func fileSecretLosesItsTrailingNewline() throws {
        try withScratchDirectory { dir in
            try writeTestFile("s3cret-from-file\n", to: "\(dir)/secret")
            let redactor = Redactor()
            let resolver = SecretResolver(environment: [:], redactor: redactor)
            #expect(try resolver.resolve(.file("\(dir)/secret"), job: "feed", key: "token") == "s3cret-from-file")
            #expect(redactor.redact("x s3cret-from-file y") == "x [REDACTED] y")
        }
    }

    @Test func unreadableSecretFileNamesThePathButNotTheContents() throws {
        try withScratchDirectory { dir in
            let resolver = SecretResolver(environment: [:], redactor: Redactor())
            let missing = failure(resolver, .file("\(dir)/absent"))
            #expect(missing?.kind == .config)
            #expect(missing?.description == "job 'feed', secret client_secret: secret file \(dir)/absent does not exist")

            try writeTestFile("\n", to: "\(dir)/blank")
            #expect(failure(resolver, .file("\(dir)/blank"))?.message == "secret file \(dir)/blank is empty")
        }
    }

    @Test func credentialIsReadFromTheCredentialsDirectory() throws {
        try withScratchDirectory { dir in
            try writeTestFile("cred-value-42\n", to: "\(dir)/foreman_token")
            let fromEnvironment = SecretResolver(environment: ["CREDENTIALS_DIRECTORY": dir], redactor: Redactor())
            #expect(try fromEnvironment.resolve(.credential("foreman_token"), job: "feed", key: "token") == "cred-value-42")
            let explicit = SecretResolver(environment: [:], credentialsDirectory: dir, redactor: Redactor())
            #expect(try explicit.resolve(.credential("foreman_token"), job: "feed", key: "token") == "cred-value-42")

            let absent = failure(fromEnvironment, .credential("other"))
            #expect(absent?.message == "credential 'other' is not in $CREDENTIALS_DIRECTORY (\(dir)); add "
                + "LoadCredential=other:/path/to/secret to the service")
        }
    }

    @Test func credentialWithoutCredentialsDirectoryExplainsLoadCredential() {
        let resolver = SecretResolver(environment: [:], redactor: Redactor())
        let error = failure(resolver, .credential("foreman_token"))
        #expect(error?.kind == .config)
        #expect(error?.message.contains("$CREDENTIALS_DIRECTORY, which is not set") == true)
        #expect(error?.message.contains("LoadCredential=foreman_token:") == true)
    }

    @Test func worldReadableJobFileAndSecretFileGiveAWarning() throws {
        try withScratchDirectory { dir in
            try writeTestFile("secret-value\n", to: "\(dir)/token", permissions: 0o644)
            let yaml = minimalJob + "\n  token: { file: \(dir)/token }"
            try writeTestFile(yaml, to: "\(dir)/feed.yaml", permissions: 0o644)
            let job = try JobFileDecoder.load(path: "\(dir)/feed.yaml")
            let resolver = SecretResolver(environment: [:], redactor: Redactor())

            let warnings = resolver.fileWarnings(for: job)
            #expect(warnings.count == 1)
            #expect(warnings.first?.contains("chmod o-r \(dir)/token") == true)
            #expect(warnings.first?.contains("secret-value") == false)

            try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: "\(dir)/token")
            #expect(resolver.fileWarnings(for: job).isEmpty)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: "\(dir)/token")
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: "\(dir)/feed.yaml")
            #expect(resolver.fileWarnings(for: job).isEmpty)
        }
    }
}
