/// How one preflight check of `sluice doctor` came out.
package enum DoctorOutcome: String, Sendable, Hashable, CaseIterable {
    /// ✔ the thing works.
    case pass
    /// ! the check could not tell, or something works but deserves a look (an old download, little headroom).
    case warn
    /// ✘ a run would fail (or lose data) because of this; the check says the one thing to do.
    case fail

    /// The mark the text output shows: `✔`, `!` or `✘`.
    package var symbol: String {
        switch self {
        case .pass: return "✔"
        case .warn: return "!"
        case .fail: return "✘"
        }
    }
}

/// One line of a doctor checklist: what was checked, how it came out, what was seen, and what to do about it.
///
/// A failed check always carries a fix: the operator reads the checklist to know the next step, not to
/// decode a cause. Nothing here may hold a secret value: details name references (`{env: NAME}`), hosts and
/// statuses, and the renderer passes every text through the ``Redactor`` once more.
package struct DoctorCheck: Sendable, Hashable {
    /// Short and stable, used as the JSON key of the check: `secrets`, `token`, `report`, `clock`.
    package var name: String
    package var outcome: DoctorOutcome
    /// What was seen, for a person: `Intelligence rejected the client id/secret (HTTP 401, invalid_client)`.
    package var detail: String
    /// The one thing to do; nil for a passed check.
    package var fix: String?

    /// A check with an explicit outcome; a failure without a fix gets a generic one rather than none.
    package init(_ name: String, _ outcome: DoctorOutcome, _ detail: String, fix: String? = nil) {
        self.name = name
        self.outcome = outcome
        self.detail = detail
        self.fix = outcome == .fail && (fix ?? "").isEmpty ? "see the detail above; then run sluice doctor again" : fix
    }

    /// ✔ `name`: `detail`.
    package static func pass(_ name: String, _ detail: String) -> DoctorCheck {
        DoctorCheck(name, .pass, detail)
    }

    /// ! `name`: `detail`, with an optional suggestion.
    package static func warn(_ name: String, _ detail: String, fix: String? = nil) -> DoctorCheck {
        DoctorCheck(name, .warn, detail, fix: fix)
    }

    /// ✘ `name`: `detail`, and the one thing to do.
    package static func fail(_ name: String, _ detail: String, fix: String) -> DoctorCheck {
        DoctorCheck(name, .fail, detail, fix: fix)
    }
}
