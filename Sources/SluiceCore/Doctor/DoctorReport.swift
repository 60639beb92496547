/// Everything `sluice doctor` found: one section per job (and per job file that did not load), then the
/// warehouse. Pure: rendering (``text``, ``json``) and the exit code are decided here without I/O.
package struct DoctorReport: Sendable, Hashable {
    package var sections: [DoctorSection]

    package init(sections: [DoctorSection]) {
        self.sections = sections
    }

    /// Every check of every section.
    package var checks: [DoctorCheck] { sections.flatMap(\.checks) }

    /// How many checks failed (✘).
    package var failures: Int { checks.count { $0.outcome == .fail } }

    /// How many checks could not tell or want a look (!).
    package var warnings: Int { checks.count { $0.outcome == .warn } }

    /// True when every check passed (✔).
    package var allPassed: Bool { checks.allSatisfy { $0.outcome == .pass } }

    /// 0 when everything is ✔, 1 otherwise: a `!` is not a pass either, since it means doctor could not
    /// vouch for that part (a script that wants to tell the two apart reads `--json`).
    package var exitCode: Int32 { allPassed ? 0 : 1 }

    /// The last line of the text output: `everything is ✔` or `2 ✘ and 1 ! (exit 1)`.
    package var summaryLine: String {
        guard !allPassed else { return "everything is ✔ (exit 0)" }
        var parts: [String] = []
        if failures > 0 { parts.append("\(failures) ✘") }
        if warnings > 0 { parts.append("\(warnings) !") }
        return parts.joined(separator: " and ") + " (exit 1)"
    }
}
