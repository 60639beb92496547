import SluiceEmulators

/// One source's share of `sluice demo`: the emulators it starts, its job files and the secrets they reference.
///
/// Each source adds a `DemoPart+<Source>.swift` file and one entry to ``DemoPart/all``; the demo command starts
/// every part's emulators together, writes the job files with `@@NAME@@` placeholders filled in, and runs them.
struct DemoPart {
    /// Emulators to start; their base URLs arrive in the same order in `placeholders`.
    var emulators: [any Emulator]
    /// Job files (name → template text, identical to `jobs/demo/<name>`).
    var jobFiles: [(name: String, template: String)]
    /// Environment variables the job files' `{env: …}` secrets read.
    var environment: [String: String]
    /// Placeholder values for the templates, given the emulators' base URLs.
    var placeholders: @Sendable ([String]) -> [String: String]
    /// Example query printed after the run.
    var exampleQuery: String

    /// Every source's demo part, in the order the summary lists them.
    static func all() -> [DemoPart] {
        [cursorFeed(), citrix(), powerBI(), ws1()]
    }
}
