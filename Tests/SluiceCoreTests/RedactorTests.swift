import Testing
import SluiceCore

@Suite("Redactor")
struct RedactorTests {
    @Test func aRegisteredSecretAndItsPercentEncodedFormAreRemoved() {
        let redactor = Redactor()
        redactor.register("s3cr3t/p@ss word")
        let text = "body grant_type=x&client_secret_raw=s3cr3t/p@ss word; form: s3cr3t%2Fp%40ss%20word"
        let out = redactor.redact(text)
        #expect(!out.contains("s3cr3t"))
        #expect(out == "body grant_type=x&client_secret_raw=[REDACTED]; form: [REDACTED]")
    }

    @Test func everyOccurrenceIsRemovedAndLongerSecretsWinOverTheirParts() {
        let redactor = Redactor()
        redactor.register("abcd")
        redactor.register("abcdefgh")
        #expect(redactor.redact("abcdefgh then abcd and abcd") == "[REDACTED] then [REDACTED] and [REDACTED]")
    }

    @Test func secretsShorterThanFourCharactersAreIgnored() {
        let redactor = Redactor()
        redactor.register("abc")
        redactor.register("  \n")
        #expect(redactor.redact("abc def") == "abc def")
    }

    @Test(arguments: [
        ("Authorization: Bearer eyJhbGciOi.xyz", "Authorization: Bearer [REDACTED]"),
        ("authorization: bearer xyz123", "authorization: bearer [REDACTED]"),
        ("Authorization: CWSAuth bearer=xyz123", "Authorization: CWSAuth bearer=[REDACTED]"),
        ("{\"Authorization\": \"Basic dXNlcjpwYXNz\"}", "{\"Authorization\": \"Basic [REDACTED]\"}"),
        ("headers: Bearer abc, Bearer def", "headers: Bearer [REDACTED], Bearer [REDACTED]"),
        ("Bearer ébc, Bearer é", "Bearer [REDACTED], Bearer [REDACTED]"),
    ])
    func authorizationValuesAreRemovedWithoutRegistration(input: String, expected: String) {
        #expect(Redactor().redact(input) == expected)
    }

    @Test(arguments: [
        ("GET https://s3.example/f.csv?X-Amz-Credential=AKIA&X-Amz-Signature=abc123 failed",
         "GET https://s3.example/f.csv?X-Amz-Credential=[REDACTED]&X-Amz-Signature=[REDACTED] failed"),
        ("https://blob.example/x?sv=1&sig=abc%2Bdef&se=2", "https://blob.example/x?sv=1&sig=[REDACTED]&se=2"),
        ("https://h/p?access_token=tok&x=1", "https://h/p?access_token=[REDACTED]&x=1"),
        ("client_secret=hush", "client_secret=[REDACTED]"),
    ])
    func signedQueryValuesAreRemovedWithoutRegistration(input: String, expected: String) {
        #expect(Redactor().redact(input) == expected)
    }

    @Test func textWithoutSecretsIsUnchanged() {
        #expect(Redactor().redact("page 7 of Sessions: HTTP 503") == "page 7 of Sessions: HTTP 503")
    }

    @Test(arguments: [
        ("https://s3.example/bucket/f.csv?X-Amz-Signature=abc", "https://s3.example/bucket/f.csv?[query redacted]"),
        ("https://user:pass@host.example:8443/path?a=1", "https://host.example:8443/path?[query redacted]"),
        ("https://user:pass@host.example", "https://host.example"),
        ("https://host.example/a#fragment", "https://host.example/a"),
        ("https://host.example/users/a@b", "https://host.example/users/a@b"),
        ("http://127.0.0.1:8080/odata/Sessions", "http://127.0.0.1:8080/odata/Sessions"),
    ])
    func safeURLDropsQueryStringsAndUserInfo(input: String, expected: String) {
        #expect(Redactor.safeURL(input) == expected)
    }
}
