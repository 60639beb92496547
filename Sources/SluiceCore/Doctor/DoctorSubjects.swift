/// What `sluice doctor [JOB…]` looks at, in the order it reports them: the jobs to examine and, in their place
/// among them, the job files that did not load. Pure: decided from a loaded folder and the names asked for.
///
/// A broken file never stops the others from being checked: it becomes a section of its own with one ✘ per
/// problem (file, line and cause, as `sluice validate` prints them).
package enum DoctorSubject: Sendable {
    /// A job that loaded; its checks are still to be made.
    case job(JobDefinition)
    /// A job file, the job folder or a requested name that cannot be examined, already as its checklist.
    case problem(DoctorSection)

    /// The subjects for `names` (every job of the folder when empty), in file order.
    ///
    /// A name that matches no loaded job is looked up among the files that did not load (by file stem); when
    /// none matches either, it gets a ✘ listing the jobs there are.
    package static func plan(_ folder: JobDirectoryResult, names: [String]) -> [DoctorSubject] {
        let byFile = Dictionary(grouping: folder.errors, by: \.file)
        let folderProblems = folder.errors.filter { !folder.files.contains($0.file) }
        guard !names.isEmpty else {
            var subjects: [DoctorSubject] = folderProblems.isEmpty ? [] : [.problem(section(folder.directory, folderProblems))]
            for file in folder.files {
                if let job = folder.jobs.first(where: { $0.file == file }) { subjects.append(.job(job)) }
                if let errors = byFile[file] { subjects.append(.problem(section(file, errors))) }
            }
            return subjects
        }
        var subjects: [DoctorSubject] = []
        var folderReported = false
        for name in names {
            if let job = folder.jobs.first(where: { $0.name == name }) {
                subjects.append(.job(job))
            } else if let file = folder.files.first(where: { stem($0) == name }), let errors = byFile[file] {
                subjects.append(.problem(section(file, errors)))
            } else if !folderProblems.isEmpty {
                // The folder itself is the problem: say so once, whatever the number of names.
                if !folderReported { subjects.append(.problem(section(folder.directory, folderProblems))) }
                folderReported = true
            } else {
                let known = folder.jobs.map(\.name).joined(separator: ", ")
                subjects.append(.problem(DoctorSection(kind: .jobFile, title: name, checks: [
                    .fail("job", "no job named '\(name)' in \(folder.directory) (jobs: \(known.isEmpty ? "none" : known))",
                          fix: "give a job name from that list, or --jobs the folder that holds \(name).yaml"),
                ])))
            }
        }
        return subjects
    }

    /// One ✘ per problem of `file`.
    static func section(_ file: String, _ errors: [JobFileError]) -> DoctorSection {
        DoctorSection(kind: .jobFile, title: file, checks: errors.map { error in
            let fix = error.line > 0
                ? "fix line \(error.line) of \(error.file) (sluice validate lists every problem), then run sluice doctor again"
                : "fix \(error.file) as the message says, then run sluice doctor again"
            return .fail("job file", error.description, fix: fix)
        })
    }

    /// `jobs/feed.yaml` → `feed`.
    static func stem(_ path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: ".") else { return name }
        return String(name[..<dot])
    }
}
