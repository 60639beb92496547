import Synchronization
package import SluiceCore

/// What the daemon knows right now that the warehouse does not: the job definitions in force (they change on
/// SIGHUP) and the progress of the runs in flight. The status page reads it; the scheduler and the runner
/// write it.
package final class DaemonState: Sendable {
    private struct State {
        var jobs: [JobDefinition] = []
        var brokenFiles: [JobFileError] = []
        var progress: [String: RunProgress] = [:]
    }

    private let state = Mutex(State())

    package init(jobs: [JobDefinition] = [], brokenFiles: [JobFileError] = []) {
        state.withLock { $0.jobs = jobs; $0.brokenFiles = brokenFiles }
    }

    /// The jobs in force, by name.
    package var jobs: [JobDefinition] { state.withLock { $0.jobs }.sorted { $0.name < $1.name } }

    /// The job files with problems at the last (re)load; their jobs keep an earlier definition or do not run.
    package var brokenFiles: [JobFileError] { state.withLock { $0.brokenFiles } }

    package func setJobs(_ jobs: [JobDefinition], brokenFiles: [JobFileError]) {
        state.withLock { $0.jobs = jobs; $0.brokenFiles = brokenFiles }
    }

    /// Progress of the runs in flight, by job.
    package var progress: [String: RunProgress] { state.withLock { $0.progress } }

    package func record(_ progress: RunProgress) { state.withLock { $0.progress[progress.job] = progress } }

    package func runEnded(_ job: String) { state.withLock { _ = $0.progress.removeValue(forKey: job) } }
}
