
/// One row of `sluice_runs`: what `sluice status` and the metrics endpoint show about a run.
package struct RunRecord: Sendable, Equatable {
    package var runID: Int64
    package var job: String
    package var trigger: RunTrigger
    /// Normalised UTC timestamp text.
    package var startedAt: String
    /// Normalised UTC timestamp text; nil while running.
    package var finishedAt: String?
    package var status: RunStatus
    package var rowsWritten: Int64
    package var requests: Int64
    package var bytesRead: Int64
    /// The (already redacted) error of a failed run.
    package var error: String?
    /// What kind of failure it was (nil for runs that did not fail, and for runs recorded before the kind was).
    package var errorKind: SluiceError.Kind?

    /// Creates a record from its column values.
    package init(runID: Int64, job: String, trigger: RunTrigger, startedAt: String, finishedAt: String?,
                status: RunStatus, rowsWritten: Int64, requests: Int64, bytesRead: Int64, error: String?,
                errorKind: SluiceError.Kind? = nil) {
        self.runID = runID
        self.job = job
        self.trigger = trigger
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.status = status
        self.rowsWritten = rowsWritten
        self.requests = requests
        self.bytesRead = bytesRead
        self.error = error
        self.errorKind = errorKind
    }
}
