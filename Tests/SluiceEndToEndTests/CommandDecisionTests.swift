@testable import SluiceCore
import Testing
@testable import sluice

/// The command line's decisions as plain values: what to say before parsing, and which jobs go on when some
/// job files are broken.
@Suite("command-line decisions")
struct CommandDecisionTests {
    static let commands = ["daemon", "run", "backfill", "status", "validate", "doctor", "demo"]

    @Test func anEmptyArgvIsAProblemNotAHelpScreen() {
        #expect(CommandLineCheck.problem(arguments: [], commands: Self.commands)?.contains("the command line is empty") == true)
        #expect(CommandLineCheck.problem(arguments: [""], commands: Self.commands)?.contains("the command line is empty") == true)
        #expect(CommandLineCheck.problem(arguments: ["sluice"], commands: Self.commands) == nil)
    }

    @Test func aMistypedSubcommandGetsASuggestion() {
        #expect(CommandLineCheck.problem(arguments: ["sluice", "runn"], commands: Self.commands)
                == "error: unknown command 'runn'; did you mean 'run'?")
        #expect(CommandLineCheck.problem(arguments: ["sluice", "stauts"], commands: Self.commands)
                == "error: unknown command 'stauts'; did you mean 'status'?")
        #expect(CommandLineCheck.problem(arguments: ["sluice", "zzz"], commands: Self.commands)?
            .hasPrefix("error: unknown command 'zzz' (commands: daemon, run") == true)
    }

    @Test func knownCommandsFlagsAndHelpAreLeftToTheParser() {
        for arguments in [["sluice", "run", "feed"], ["sluice", "--version"], ["sluice", "help", "run"], ["sluice", "-h"]] {
            #expect(CommandLineCheck.problem(arguments: arguments, commands: Self.commands) == nil, "\(arguments)")
        }
    }

    static func directory(jobs: [String], broken: [String]) -> JobDirectoryResult {
        let definitions = jobs.map { name in
            JobDefinition(name: name, file: "jobs/\(name).yaml", schedule: .every(seconds: 3600), target: TargetSettings(),
                          source: .cursorFeed(CursorFeedSettings(baseURL: "https://x.example/v1", dataset: "d", token: nil)))
        }
        return JobDirectoryResult(
            directory: "jobs", files: (jobs + broken).map { "jobs/\($0).yaml" }.sorted(), jobs: definitions,
            errors: broken.map { JobFileError(file: "jobs/\($0).yaml", line: 6, message: "unknown key 'tokn' in source") })
    }

    @Test func withoutNamesTheValidJobsGoOnAndTheBrokenFilesAreSkipped() {
        let selection = JobSelection.decide(Self.directory(jobs: ["feed", "ws1"], broken: ["broken"]), names: [])
        #expect(selection.refusal == nil)
        #expect(selection.jobs.map(\.name) == ["feed", "ws1"])
        #expect(selection.skipped.map(\.description) == ["jobs/broken.yaml:6: unknown key 'tokn' in source"])
        #expect(selection.warnings(directory: "jobs", consequence: "the other jobs run").last
                == "warning: 1 job file under jobs skipped: the other jobs run")
    }

    @Test func aNamedJobRunsUnlessItsOwnFileIsBrokenOrItDoesNotExist() {
        let result = Self.directory(jobs: ["feed"], broken: ["broken"])
        let feed = JobSelection.decide(result, names: ["feed"])
        #expect(feed.refusal == nil && feed.jobs.map(\.name) == ["feed"] && feed.skipped.count == 1)
        let broken = JobSelection.decide(result, names: ["broken"])
        #expect(broken.refusal?.last == "job 'broken' cannot run: its file jobs/broken.yaml has problems (sluice validate lists them)")
        let missing = JobSelection.decide(result, names: ["nope"])
        #expect(missing.refusal == ["no job named 'nope' in jobs (jobs: feed)"])
    }

    @Test func aFolderProblemStopsEverything() {
        var result = Self.directory(jobs: [], broken: [])
        result.errors = [JobFileError(file: "jobs", line: 0, message: "the job directory does not exist")]
        #expect(JobSelection.decide(result, names: []).refusal == ["jobs: the job directory does not exist"])
    }
}
