/// Why a run started (`sluice_runs.trigger`).
package enum RunTrigger: String, Sendable, Hashable, CaseIterable {
    case schedule, manual, backfill
}

/// How a run ended (`sluice_runs.status`).
package enum RunStatus: String, Sendable, Hashable, CaseIterable {
    case running, succeeded, unchanged, failed, cancelled, abandoned
}
