import Foundation
import Testing
@testable import SluiceCore

/// A fresh directory under the system temp dir, removed when `body` returns.
func withScratchDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-test-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

func writeTestFile(_ text: String, to path: String, permissions: Int = 0o600) throws {
    try text.write(toFile: path, atomically: false, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: path)
}

@Suite struct JobFileDirectoryTests {
    @Test func oneBrokenFileDoesNotHideTheValidOnes() throws {
        try withScratchDirectory { dir in
            try writeTestFile(minimalJob, to: "\(dir)/b-feed.yaml")
            try writeTestFile(minimalJob + "\nhttp:\n  max_attempts: 0", to: "\(dir)/a-broken.yml")
            try writeTestFile(minimalJob, to: "\(dir)/c-feed.yml")
            try writeTestFile("not a job", to: "\(dir)/README.md")
            try writeTestFile(minimalJob, to: "\(dir)/.hidden.yaml")
            try FileManager.default.createDirectory(atPath: "\(dir)/demo", withIntermediateDirectories: false)

            let result = JobFileDecoder.loadDirectory(dir)
            #expect(result.files == ["\(dir)/a-broken.yml", "\(dir)/b-feed.yaml", "\(dir)/c-feed.yml"])
            #expect(result.jobs.map(\.name) == ["b-feed", "c-feed"])
            #expect(result.errors.map(\.description) == ["\(dir)/a-broken.yml:7: http.max_attempts must be a whole number from 1 to 20, not '0'"])
            #expect(result.invalidFiles == ["\(dir)/a-broken.yml"])
            #expect(!result.isValid)
        }
    }

    @Test func duplicateJobNamesAcrossFilesAreRejectedInBoth() throws {
        try withScratchDirectory { dir in
            try writeTestFile(minimalJob, to: "\(dir)/feed.yaml")
            try writeTestFile("# same job again\nname: feed\n" + minimalJob, to: "\(dir)/other.yaml")
            try writeTestFile(minimalJob, to: "\(dir)/third.yaml")

            let result = JobFileDecoder.loadDirectory(dir)
            #expect(result.jobs.map(\.name) == ["third"])
            #expect(result.errors.map(\.description) == [
                "\(dir)/feed.yaml:1: job name 'feed' is also used by \(dir)/other.yaml; job names must be unique",
                "\(dir)/other.yaml:2: job name 'feed' is also used by \(dir)/feed.yaml; job names must be unique",
            ])
        }
    }

    @Test func emptyOrMissingDirectoryIsADirectoryLevelError() throws {
        try withScratchDirectory { dir in
            let empty = JobFileDecoder.loadDirectory(dir)
            #expect(empty.errors.map(\.description) == ["\(dir): contains no job files (*.yaml or *.yml)"])
            #expect(empty.jobs.isEmpty)

            let missing = JobFileDecoder.loadDirectory("\(dir)/nope")
            #expect(missing.errors.first?.file == "\(dir)/nope")
            #expect(missing.errors.first?.message.hasPrefix("the job directory does not exist") == true)
        }
    }

    @Test func loadReportsAnUnreadableFileAsAnError() {
        #expect(throws: JobFileErrors([JobFileError(file: "/nonexistent/job.yaml", line: 0, message: "the job file does not exist")])) {
            try JobFileDecoder.load(path: "/nonexistent/job.yaml")
        }
    }

    @Test func fiftyJobFilesAllLoad() throws {
        try withScratchDirectory { dir in
            for i in 0..<50 {
                try writeTestFile("name: job-\(i)\n" + minimalJob + "\n  token: {env: TOKEN_\(i)}", to: "\(dir)/job-\(i).yaml")
            }
            let result = JobFileDecoder.loadDirectory(dir)
            #expect(result.errors.isEmpty)
            #expect(result.jobs.count == 50)
        }
    }
}
