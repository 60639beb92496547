import Foundation
import Testing

/// The example job files, the systemd unit and the READMEs name the same folders under /etc/sluice.
@Suite("example files agree")
struct ExampleFilesTests {
    @Test func everyFolderUnderEtcSluiceIsJobsOrCredentials() throws {
        let root = DemoEndToEndTests.repository
        var files = ["systemd/sluice.service", "systemd/README.md", "README.md"]
        for folder in ["jobs", "jobs/demo"] {
            files += try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)
                .filter { $0.hasSuffix(".yaml") }.map { "\(folder)/\($0)" }
        }
        var seen: Set<String> = []
        for file in files {
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            var rest = text[...]
            while let range = rest.range(of: "/etc/sluice/") {
                let folder = rest[range.upperBound...].prefix { $0.isLetter || $0 == "-" || $0 == "_" }
                let next = rest[range.upperBound...].dropFirst(folder.count).first
                if next == "/" {
                    seen.insert(String(folder))
                    #expect(["jobs", "credentials"].contains(String(folder)), "\(file): /etc/sluice/\(folder)/")
                }
                rest = rest[range.upperBound...]
            }
        }
        #expect(seen.contains("credentials") && seen.contains("jobs"), "\(seen)")
    }
}
