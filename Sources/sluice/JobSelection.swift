import SluiceCore

/// Which jobs a command goes on with when some job files of the folder have problems: one broken file must not
/// stop every other job. A pure decision on the folder's load result and the names asked for.
///
/// - A problem with the folder itself (missing, not a folder, no job files) stops the command (exit 2).
/// - A named job that is valid runs; a named job whose own file is broken, or that does not exist, stops the
///   command (exit 2): the user asked for exactly that job.
/// - Every other broken file is skipped with a warning; `sluice run` without names runs the valid jobs and
///   exits 1 at the end, because something was wrong.
struct JobSelection {
    /// The jobs to go on with.
    var jobs: [JobDefinition]
    /// Problems of files that were skipped (each names its file and line).
    var skipped: [JobFileError]
    /// Why the command cannot go on at all; nil when it can.
    var refusal: [String]?

    /// True when some file was skipped (the command should end with exit code 1 at least).
    var hasSkippedFiles: Bool { !skipped.isEmpty }

    static func decide(_ result: JobDirectoryResult, names: [String]) -> JobSelection {
        let folderProblems = result.errors.filter { !result.files.contains($0.file) }
        if !folderProblems.isEmpty {
            return JobSelection(jobs: [], skipped: [], refusal: folderProblems.map(\.description))
        }
        guard !names.isEmpty else {
            return JobSelection(jobs: result.jobs, skipped: result.errors, refusal: nil)
        }
        var selected: [JobDefinition] = []
        var refusal: [String] = []
        for name in names {
            if let job = result.jobs.first(where: { $0.name == name }) {
                selected.append(job)
            } else if let file = result.invalidFiles.first(where: { stem(of: $0) == name }) {
                refusal += result.errors.filter { $0.file == file }.map(\.description)
                refusal.append("job '\(name)' cannot run: its file \(file) has problems (sluice validate lists them)")
            } else {
                let known = result.jobs.map(\.name).joined(separator: ", ")
                refusal.append("no job named '\(name)' in \(result.directory) (jobs: \(known.isEmpty ? "none" : known))")
            }
        }
        let requestedFiles = Set(selected.map(\.file))
        let skipped = result.errors.filter { !requestedFiles.contains($0.file) }
        return JobSelection(jobs: selected, skipped: skipped, refusal: refusal.isEmpty ? nil : refusal)
    }

    /// The warning lines for the skipped files: every problem, then one line that says what happens.
    func warnings(directory: String, consequence: String) -> [String] {
        guard !skipped.isEmpty else { return [] }
        let files = Set(skipped.map(\.file)).count
        return skipped.map { "warning: \($0)" }
            + ["warning: \(files) job file\(files == 1 ? "" : "s") under \(directory) skipped: \(consequence)"]
    }

    /// `jobs/feed.yaml` → `feed`.
    private static func stem(of file: String) -> String {
        let name = file.split(separator: "/").last.map(String.init) ?? file
        guard let dot = name.lastIndex(of: ".") else { return name }
        return String(name[..<dot])
    }
}
