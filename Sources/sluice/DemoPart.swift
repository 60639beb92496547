import SluiceCore
import SluiceEmulators
import Foundation

/// One source's share of `sluice demo`: the emulators it starts, its job files and the secrets they reference.
///
/// Each source adds a `DemoPart+<Source>.swift` file and one entry to ``DemoPart/all``; the demo command starts
/// every part's emulators together and writes the job files with the emulators' real addresses and its own
/// secrets folder filled in.
struct DemoPart {
    /// Emulators to start; their base URLs arrive in the same order in `onListening`.
    var emulators: [any Emulator]
    /// Job files (name → text, identical to `jobs/demo/<name>`). They validate as they stand: each emulator's
    /// address is written as its ``templateOrigins`` entry, and secrets as files under ``templateSecretsFolder``.
    var jobFiles: [(name: String, template: String)]
    /// Per emulator, the origin (`http://127.0.0.1:18401`) its job files use in place of the real address; nil
    /// for an emulator that no job file names (WS1's storage, reached through redirects).
    var templateOrigins: [String?]
    /// The secret files the job files reference: file name → value.
    var secrets: [String: String]
    /// Called with the emulators' base URLs once they listen.
    var onListening: @Sendable ([String]) -> Void = { _ in }
    /// Example query printed after the run.
    var exampleQuery: String

    /// Where the job files in `jobs/demo/` expect their secrets; the demo writes its own folder instead.
    static let templateSecretsFolder = "/etc/sluice/credentials/"

    /// Every source's demo part, in the order the summary lists them.
    static func all() -> [DemoPart] {
        [cursorFeed(), citrix(), powerBI(), ws1()]
    }

    /// The job files with the emulators' `urls` (this part's, in order) and `secretsFolder` (absolute, ending in
    /// `/`) filled in.
    func filledJobFiles(urls: [String], secretsFolder: String) -> [(name: String, text: String)] {
        jobFiles.map { file in
            var text = file.template.replacingAll(Self.templateSecretsFolder, with: secretsFolder)
            for (origin, url) in zip(templateOrigins, urls) {
                guard let origin else { continue }
                text = text.replacingAll(origin, with: Self.origin(of: url))
            }
            return (file.name, text)
        }
    }

    /// `http://127.0.0.1:4711/monitorodata` → `http://127.0.0.1:4711`.
    static func origin(of url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        guard let slash = rest.firstIndex(of: "/") else { return url }
        return String(url[..<slash])
    }
}
