/// The checklist of one subject: a job, a job file that does not load, or the warehouse.
package struct DoctorSection: Sendable, Hashable {
    /// What the section is about.
    package enum Kind: String, Sendable, Hashable {
        /// A job that loaded: its secrets, token, first read and the servers' clocks.
        case job
        /// A job file (or the job folder) that could not be loaded, or a job named on the command line that
        /// does not exist.
        case jobFile = "job_file"
        /// The warehouse file and its folder.
        case warehouse
    }

    package var kind: Kind
    /// The job's name, the file's path, or the warehouse's path.
    package var title: String
    /// The source type (`ws1-intelligence`), for jobs.
    package var source: String?
    /// The job file, for jobs.
    package var file: String?
    /// HTTP requests the checks made (answers, retries and redirect hops included), for jobs.
    package var requests: Int?
    package var checks: [DoctorCheck]

    package init(kind: Kind, title: String, source: String? = nil, file: String? = nil, requests: Int? = nil,
                checks: [DoctorCheck]) {
        self.kind = kind
        self.title = title
        self.source = source
        self.file = file
        self.requests = requests
        self.checks = checks
    }

    /// The worst outcome of the section's checks (`pass` for a section without checks).
    package var outcome: DoctorOutcome {
        if checks.contains(where: { $0.outcome == .fail }) { return .fail }
        if checks.contains(where: { $0.outcome == .warn }) { return .warn }
        return .pass
    }
}
