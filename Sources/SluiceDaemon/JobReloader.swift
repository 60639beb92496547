package import Logging
package import SluiceCore

/// Re-reads the job folder on SIGHUP and decides which definitions the daemon runs from now on.
///
/// New files start, removed files stop being scheduled, changed files take effect. A file that no longer
/// validates is reported at error level and the job it defined keeps its previous definition: a typo made
/// while editing must not stop a working job. A problem with the folder itself (missing, unreadable, empty)
/// keeps every previous job, for the same reason.
package struct JobReloader: Sendable {
    /// The outcome of one reload.
    package struct Outcome: Sendable {
        /// The definitions to run from now on.
        package var jobs: [JobDefinition]
        /// Every problem found, for the log.
        package var problems: [JobFileError]
        /// Jobs kept with their previous definition because their file is broken.
        package var kept: [String]
    }

    package let directory: String
    let logger: Logger

    package init(directory: String, logger: Logger) {
        self.directory = directory
        self.logger = logger
    }

    /// Reads the folder, merges it with `previous`, logs the problems and the changes.
    package func reload(previous: [JobDefinition]) -> Outcome {
        let outcome = Self.merge(previous: previous, result: JobFileDecoder.loadDirectory(directory))
        for problem in outcome.problems {
            logger.error("job file problem; the previous definition stays in force: \(problem)")
        }
        let before = Set(previous.map(\.name))
        let after = Set(outcome.jobs.map(\.name))
        logger.info("reloaded job files", metadata: [
            "jobs.count": "\(after.count)",
            "jobs.added": "\(after.subtracting(before).sorted().joined(separator: ","))",
            "jobs.removed": "\(before.subtracting(after).sorted().joined(separator: ","))",
            "jobs.kept": "\(outcome.kept.joined(separator: ","))",
        ])
        return outcome
    }

    /// The merge rule without I/O: `result` is the folder as read now.
    package static func merge(previous: [JobDefinition], result: JobDirectoryResult) -> Outcome {
        if result.errors.contains(where: { $0.file == result.directory }) {
            return Outcome(jobs: previous, problems: result.errors, kept: previous.map(\.name))
        }
        let broken = Set(result.invalidFiles)
        var jobs = result.jobs
        var kept: [String] = []
        for old in previous where broken.contains(old.file) && !jobs.contains(where: { $0.name == old.name }) {
            jobs.append(old)
            kept.append(old.name)
        }
        return Outcome(jobs: jobs, problems: result.errors, kept: kept)
    }
}
