import Foundation
import SluiceTestSupport
import Testing

extension FaultHarness {
    /// The fixed first segment of every JWT the emulators issue (`{"alg":"HS256","typ":"JWT"}`): the issued
    /// tokens themselves are random and not exposed, but any of them leaking would show this prefix.
    static let jwtHeader = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"

    /// Greps everything the binary printed, `sluice status --json`, and the bytes of every warehouse file of
    /// the test (with `-wal`) for the configured secrets, emulator-issued JWTs and signed-URL signatures.
    func checkNoSecrets(extra: [String] = []) async throws {
        var texts = outputs.all
        var files: [String] = []
        for path in [dir.warehouse, cleanWarehouse] where FileManager.default.fileExists(atPath: path) {
            let status = try await SluiceProcess.run(["status", "--json", "--jobs", dir.jobs, "--warehouse", path],
                                                     in: dir.path, environment: environment, timeout: 60)
            #expect([0, 1].contains(status.exitCode), "\(source): status --json failed: \(status.stderr.prefix(400))")
            texts.append(status.combined)
            files += [path, path + "-wal"]
        }
        let needles = (secrets + extra + [Self.jwtHeader, "Signature="]).filter { !$0.isEmpty }
        for needle in needles {
            let label = needle.hasPrefix("eyJ") || needle == "Signature=" ? needle : "a configured secret"
            let printed = texts.filter { $0.contains(needle) }.count
            #expect(printed == 0, "\(source): \(label) appears in \(printed) output(s)")
            for file in files {
                guard let bytes = FileManager.default.contents(atPath: file) else { continue }
                #expect(bytes.range(of: Data(needle.utf8)) == nil,
                        "\(source): \(label) appears in \((file as NSString).lastPathComponent)")
            }
        }
    }
}
