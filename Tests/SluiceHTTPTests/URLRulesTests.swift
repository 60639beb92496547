import SluiceCore
import SluiceHTTP
import Testing

@Suite struct URLRulesTests {
    @Test(arguments: ["127.0.0.1", "127.0.0.2", "127.255.255.254", "localhost", "LOCALHOST", "::1", "[::1]"])
    func loopbackHostsAreRecognised(_ host: String) {
        #expect(URLRules.isLoopback(host))
    }

    @Test(arguments: ["128.0.0.1", "127.0.0.256", "127.0.0", "127.0.0.1.example.com", "localhost.example.com",
                      "10.0.0.1", "::2", "example.com", ""])
    func otherHostsAreNotLoopback(_ host: String) {
        #expect(!URLRules.isLoopback(host))
    }

    @Test func httpsIsAlwaysAllowedAndHttpOnlyForLoopback() {
        #expect(URLRules.validateScheme("https://api.cloud.com/monitorodata") == nil)
        #expect(URLRules.validateScheme("http://127.0.0.1:8080/feed") == nil)
        #expect(URLRules.validateScheme("http://localhost/feed") == nil)
        #expect(URLRules.validateScheme("http://[::1]:9000/feed") == nil)
        #expect(URLRules.validateScheme("http://foreman.example.com/api")?.contains("https is required") == true)
        #expect(URLRules.validateScheme("ftp://example.com/x") != nil)
        #expect(URLRules.validateScheme("not a url") != nil)
    }

    @Test func linksStayOnTheConfiguredOrigin() {
        let base = "https://api.powerbi.com/v1.0/myorg"
        #expect(HostPolicy.isAllowed(url: "https://api.powerbi.com/v1.0/myorg/admin/activityevents?continuationToken='x'",
                                     configuredBase: base))
        #expect(HostPolicy.isAllowed(url: "https://API.powerbi.com:443/other", configuredBase: base))
        #expect(!HostPolicy.isAllowed(url: "http://api.powerbi.com/v1.0/myorg", configuredBase: base))
        #expect(!HostPolicy.isAllowed(url: "https://api.powerbi.com:8443/v1.0", configuredBase: base))
        #expect(!HostPolicy.isAllowed(url: "https://evil.example.com/v1.0/myorg", configuredBase: base))
    }

    @Test func documentedHostSuffixesAreAllowedOverHttpsOnly() {
        let base = "https://api.powerbi.com/v1.0/myorg"
        let suffixes = HostPolicy.powerBIHostSuffixes
        #expect(HostPolicy.isAllowed(url: "https://wabi-west-us-redirect.analysis.windows.net/v1.0/myorg/admin/activityevents",
                                     configuredBase: base, extraHostSuffixes: suffixes))
        #expect(!HostPolicy.isAllowed(url: "https://evilanalysis.windows.net/x", configuredBase: base, extraHostSuffixes: suffixes))
        #expect(!HostPolicy.isAllowed(url: "https://analysis.windows.net.evil.com/x", configuredBase: base, extraHostSuffixes: suffixes))
        #expect(!HostPolicy.isAllowed(url: "http://wabi.analysis.windows.net/x", configuredBase: base, extraHostSuffixes: suffixes))
    }

    @Test func urlPartsDefaultThePortAndIgnoreUserInfo() throws {
        let parts = try #require(URLParts("https://user:pw@Example.COM/a/b?q=1"))
        #expect(parts.scheme == "https")
        #expect(parts.host == "example.com")
        #expect(parts.port == 443)
        #expect(parts.rest == "/a/b?q=1")
        #expect(URLParts("http://[::1]:8080/x")?.host == "::1")
        #expect(URLParts("http://host:notaport/") == nil)
        #expect(URLParts("/relative") == nil)
    }

    @Test func redirectLocationsResolveAgainstTheCurrentURL() throws {
        let here = try #require(URLParts("http://127.0.0.1:8080/reports/tracking/42/download?x=1"))
        #expect(here.resolve("https://storage.example.com/r.csv?Signature=s") == "https://storage.example.com/r.csv?Signature=s")
        #expect(here.resolve("//cdn.example.com/r.csv") == "http://cdn.example.com/r.csv")
        #expect(here.resolve("/other") == "http://127.0.0.1:8080/other")
        #expect(here.resolve("file.csv") == "http://127.0.0.1:8080/reports/tracking/42/file.csv")
        #expect(URLParts("https://h.example.com/a")?.resolve("/b") == "https://h.example.com/b")
    }
}
