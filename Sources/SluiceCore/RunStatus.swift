/// Why a run started (`sluice_runs.trigger`).
public enum RunTrigger: String, Sendable, Hashable, CaseIterable {
    case schedule, manual, backfill
}

/// How a run ended (`sluice_runs.status`).
public enum RunStatus: String, Sendable, Hashable, CaseIterable {
    case running, succeeded, unchanged, failed, cancelled, abandoned
}
