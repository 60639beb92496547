import Foundation
import Glibc
import SluiceTestSupport
import Testing

/// Debian's `chromium` run headless against a page on loopback: the DOM after parsing (`--dump-dom`) and a
/// screenshot. CI installs it (`.ci/run`); without it the tests that need it fail and say how to install it.
struct HeadlessChromium {
    let executable: String

    /// The installed browser, or nil (with the install command in the recorded issue).
    static func find() -> HeadlessChromium? {
        for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] where FileManager.default.isExecutableFile(atPath: path) {
            return HeadlessChromium(executable: path)
        }
        Issue.record("no chromium at /usr/bin/chromium: install it with `apt-get install chromium` (CI does in .ci/run)")
        return nil
    }

    /// The serialised DOM of `url` as the browser built it.
    func dumpDOM(_ url: String, profile: String) async throws -> String {
        try await run(["--dump-dom", url], profile: profile).stdout
    }

    /// Renders `url` at `width`×`height` CSS pixels into the PNG at `path`.
    func screenshot(_ url: String, to path: String, width: Int, height: Int, profile: String) async throws {
        _ = try await run(["--screenshot=\(path)", "--window-size=\(width),\(height)", "--hide-scrollbars", url],
                          profile: profile)
    }

    /// Runs the browser headless with a throw-away profile; killed after 90 s.
    private func run(_ args: [String], profile: String) async throws -> (stdout: String, stderr: String) {
        try FileManager.default.createDirectory(atPath: profile, withIntermediateDirectories: true)
        // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                     "--disable-extensions", "--disable-background-networking", "--user-data-dir=\(profile)/profile"]
        let result = try await ExternalProcess.run(executable, flags + args, in: profile, timeout: 90)
        if result.timedOut { Issue.record("chromium did not finish within 90 s") }
        #expect(result.exitCode == 0, "chromium exit \(result.exitCode): \(result.stderr.suffix(2000))")
        return (result.stdout, result.stderr)
    }
}
