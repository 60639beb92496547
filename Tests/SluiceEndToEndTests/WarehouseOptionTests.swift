import Foundation
import SluiceTestSupport
import Testing

/// A `--warehouse` that cannot be a warehouse is a usage error (exit 2) that names the path and the likely fix,
/// in `run`, `status` and `daemon` alike.
@Suite("a bad --warehouse, end to end")
struct WarehouseOptionTests {
    static let commands: [[String]] = [["run"], ["status"], ["daemon"]]

    @Test func aMissingFolderNamesThePathAndExitsTwo() async throws {
        try await FeedFixture.with { f in
            let missing = f.dir.path + "/no/such/folder"
            for command in Self.commands {
                let result = try await SluiceProcess.run(
                    command + ["--jobs", f.dir.jobs, "--warehouse", missing + "/w.db"], in: f.dir.path,
                    environment: f.environment, timeout: 60)
                #expect(result.exitCode == 2, "\(command): \(result.combined)")
                #expect(result.stderr.contains("the folder \(missing) does not exist; create it (mkdir -p \(missing))"),
                        "\(command): \(result.stderr)")
            }
        }
    }

    @Test func aFolderGivenAsTheFileSuggestsAFileInside() async throws {
        try await FeedFixture.with { f in
            for command in Self.commands {
                let result = try await SluiceProcess.run(command + ["--jobs", f.dir.jobs, "--warehouse", f.dir.jobs],
                                                         in: f.dir.path, environment: f.environment, timeout: 60)
                #expect(result.exitCode == 2, "\(command): \(result.combined)")
                #expect(result.stderr.contains("\(f.dir.jobs) is a folder; --warehouse names the database file"),
                        "\(command): \(result.stderr)")
            }
        }
    }

    @Test func aFileThatIsNotADatabaseIsNamedAndLeftAlone() async throws {
        try await FeedFixture.with { f in
            let notes = f.dir.path + "/notes.txt"
            let text = "these are my notes, not a warehouse\n"
            try text.write(toFile: notes, atomically: true, encoding: .utf8)
            for command in Self.commands {
                let result = try await SluiceProcess.run(command + ["--jobs", f.dir.jobs, "--warehouse", notes],
                                                         in: f.dir.path, environment: f.environment, timeout: 60)
                #expect(result.exitCode == 2, "\(command): \(result.combined)")
                #expect(result.stderr.contains("\(notes) is not an SQLite database"), "\(command): \(result.stderr)")
            }
            #expect(try String(contentsOfFile: notes, encoding: .utf8) == text)
        }
    }
}
