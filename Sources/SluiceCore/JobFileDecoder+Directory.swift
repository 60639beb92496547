import Foundation

/// Every job file of a directory: the valid jobs and the problems of the others.
///
/// One broken file does not hide the valid ones: the daemon can run those (and on reload keep the old
/// definition of a broken one), while `sluice validate` prints ``errors`` and exits non-zero.
package struct JobDirectoryResult: Sendable {
    /// The directory as it was named.
    package var directory: String
    /// Every `*.yaml` / `*.yml` file looked at, sorted by name.
    package var files: [String]
    /// The valid jobs, in file order.
    package var jobs: [JobDefinition]
    /// Every problem, by file then line. A problem with the directory itself has `file == directory`.
    package var errors: [JobFileError]

    /// True when every file is valid and there was at least one.
    package var isValid: Bool { errors.isEmpty }

    /// The files that have at least one problem.
    package var invalidFiles: [String] {
        files.filter { file in errors.contains { $0.file == file } }
    }
}

extension JobFileDecoder {
    /// Loads every `*.yaml` and `*.yml` file directly inside `directory` (sorted; hidden files skipped).
    ///
    /// Two files that define the same job name are both reported and neither is loaded: which of the two is
    /// meant cannot be guessed, and running both would mix their data in one set of tables and checkpoints.
    package static func loadDirectory(_ directory: String) -> JobDirectoryResult {
        var result = JobDirectoryResult(directory: directory, files: [], jobs: [], errors: [])
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            result.errors = [JobFileError(file: directory, line: 0, message: "the job directory does not exist "
                + "(give another one with --jobs or SLUICE_JOBS)")]
            return result
        }
        guard isDirectory.boolValue else {
            result.errors = [JobFileError(file: directory, line: 0, message: "is not a directory; --jobs names the folder of job files")]
            return result
        }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            result.errors = [JobFileError(file: directory, line: 0, message: "the job directory cannot be read (check its permissions)")]
            return result
        }
        result.files = names
            .filter { !$0.hasPrefix(".") && ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) }
            .sorted()
            .map { join(directory, $0) }
            .filter { path in
                var isDir: ObjCBool = false
                return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && !isDir.boolValue
            }
        guard !result.files.isEmpty else {
            result.errors = [JobFileError(file: directory, line: 0, message: "contains no job files (*.yaml or *.yml)")]
            return result
        }

        var loaded: [(job: JobDefinition, nameLine: Int)] = []
        for file in result.files {
            let outcome = read(path: file)
            result.errors += JobFileErrors(outcome.errors).errors
            if let job = outcome.job { loaded.append((job, outcome.nameLine)) }
        }
        let byName = Dictionary(grouping: loaded, by: \.job.name)
        for entry in loaded {
            let others = byName[entry.job.name, default: []].map(\.job.file).filter { $0 != entry.job.file }
            if others.isEmpty {
                result.jobs.append(entry.job)
            } else {
                result.errors.append(JobFileError(file: entry.job.file, line: entry.nameLine,
                                                  message: "job name '\(entry.job.name)' is also used by "
                                                      + "\(others.joined(separator: ", ")); job names must be unique"))
            }
        }
        for shared in sharedDatasetTables(result.jobs) {
            result.errors.append(JobFileError(file: shared.job.file, line: 1, message: "job '\(shared.job.name)' writes "
                + "table '\(shared.table)' like \(shared.others.joined(separator: ", ")), and one of them loads whole "
                + "datasets (snapshot or replace), which would hide the other's rows; give each job its own "
                + "target.table, or load both in mode: upsert"))
        }
        let refused = Set(result.errors.map(\.file))
        result.jobs.removeAll { refused.contains($0.file) }
        result.errors = JobFileErrors(result.errors).errors
        return result
    }

    private static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
