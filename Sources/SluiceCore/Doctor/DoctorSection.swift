/// The checklist of one subject: a job, a job file that does not load, or the warehouse.
public struct DoctorSection: Sendable, Hashable {
    /// What the section is about.
    public enum Kind: String, Sendable, Hashable {
        /// A job that loaded: its secrets, token, first read and the servers' clocks.
        case job
        /// A job file (or the job folder) that could not be loaded, or a job named on the command line that
        /// does not exist.
        case jobFile = "job_file"
        /// The warehouse file and its folder.
        case warehouse
    }

    public var kind: Kind
    /// The job's name, the file's path, or the warehouse's path.
    public var title: String
    /// The source type (`ws1-intelligence`), for jobs.
    public var source: String?
    /// The job file, for jobs.
    public var file: String?
    /// HTTP requests the checks made (answers, retries and redirect hops included), for jobs.
    public var requests: Int?
    public var checks: [DoctorCheck]

    public init(kind: Kind, title: String, source: String? = nil, file: String? = nil, requests: Int? = nil,
                checks: [DoctorCheck]) {
        self.kind = kind
        self.title = title
        self.source = source
        self.file = file
        self.requests = requests
        self.checks = checks
    }

    /// The worst outcome of the section's checks (`pass` for a section without checks).
    public var outcome: DoctorOutcome {
        if checks.contains(where: { $0.outcome == .fail }) { return .fail }
        if checks.contains(where: { $0.outcome == .warn }) { return .warn }
        return .pass
    }
}
