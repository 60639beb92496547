import Testing
import Foundation
@testable import SluiceCore

/// Which jobs `sluice doctor [JOB…]` examines, and how job files that do not load are reported.
@Suite struct DoctorSubjectsTests {
    static func names(_ subjects: [DoctorSubject]) -> [String] {
        subjects.map {
            switch $0 {
            case .job(let job): return "job:" + job.name
            case .problem(let section): return "problem:" + section.title
            }
        }
    }

    @Test func aBrokenFileIsReportedInItsPlaceAndTheOthersAreStillExamined() throws {
        try withScratchDirectory { dir in
            try writeTestFile(minimalJob, to: "\(dir)/a-feed.yaml")
            try writeTestFile(minimalJob.replacingOccurrences(of: "dataset:", with: "datset:"), to: "\(dir)/b-broken.yaml")
            try writeTestFile(minimalJob, to: "\(dir)/c-feed.yaml")
            let subjects = DoctorSubject.plan(JobFileDecoder.loadDirectory(dir), names: [])
            #expect(Self.names(subjects) == ["job:a-feed", "problem:\(dir)/b-broken.yaml", "job:c-feed"])
            guard case .problem(let section) = subjects[1] else { return }
            #expect(section.kind == .jobFile && section.outcome == .fail)
            let check = try #require(section.checks.first { $0.detail.contains("datset") }, "\(section.checks)")
            #expect(check.detail.hasPrefix("\(dir)/b-broken.yaml:5: "), "file and line: \(check.detail)")
            #expect(check.fix?.contains("line 5 of \(dir)/b-broken.yaml") == true)
        }
    }

    @Test func namedJobsComeInTheOrderGivenAndAnUnknownNameIsAFailure() throws {
        try withScratchDirectory { dir in
            try writeTestFile(minimalJob, to: "\(dir)/a-feed.yaml")
            try writeTestFile(minimalJob, to: "\(dir)/c-feed.yaml")
            try writeTestFile("schedule: [", to: "\(dir)/broken.yaml")
            let subjects = DoctorSubject.plan(JobFileDecoder.loadDirectory(dir), names: ["c-feed", "nope", "broken"])
            #expect(Self.names(subjects) == ["job:c-feed", "problem:nope", "problem:\(dir)/broken.yaml"])
            guard case .problem(let unknown) = subjects[1] else { return }
            #expect(unknown.checks.first?.detail.contains("jobs: a-feed, c-feed") == true)
        }
    }

    @Test func aMissingFolderIsOneFailureWhateverTheNames() {
        for names in [[], ["a", "b"]] {
            let subjects = DoctorSubject.plan(JobFileDecoder.loadDirectory("/nonexistent/sluice-jobs"), names: names)
            #expect(Self.names(subjects) == ["problem:/nonexistent/sluice-jobs"], "names \(names)")
        }
    }
}
