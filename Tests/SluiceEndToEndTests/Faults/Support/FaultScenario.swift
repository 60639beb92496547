import Foundation
import Testing
import SluiceTestSupport

/// The two scenarios every fault table uses: a transient fault that must be recovered, and a permanent
/// one that must fail cleanly and then converge once removed.
enum FaultScenario {
    /// Clean reference run, then `inject`, then `sluice run`: it must succeed with exactly the clean content
    /// and the fault must really have been served (`served`).
    static func recovers(_ h: FaultHarness, _ fault: String, resetJournals: () -> Void, inject: () -> Void,
                         served: () -> Bool) async throws {
        let reference = try await h.referenceContent()
        resetJournals()
        inject()
        let result = try await h.sluice(["run"])
        let context = "\(h.source), \(fault)"
        #expect(result.exitCode == 0, "\(context): \(result.combined)")
        let run = try h.lastRun()
        #expect(run.status == "succeeded", "\(context): \(run.error)")
        #expect(try h.content() == reference, "\(context): content differs from the clean run")
        #expect(served(), "\(context): the emulator never served the fault")
        #expect(try h.reader().scalar("PRAGMA integrity_check") == "ok", "\(context)")
    }

    /// What a permanent fault's failed run must say and leave behind.
    struct Failure {
        /// Text of the step the error must name (e.g. `page 2 of Sessions`).
        var step: String
        /// Text of the cause the error must name (e.g. `HTTP 404`, `malformed JSON`).
        var cause: String
    }

    /// Clean reference run, `prepare` (e.g. load older data), `inject`, `sluice run`: exit 1, run `failed`, the
    /// error names job, step and cause, `visible` checks what is left; then `remove` and a run that must reach
    /// exactly the clean content.
    static func failsCleanly(_ h: FaultHarness, _ fault: String, expect failure: Failure,
                             reference makeReference: (() async throws -> [String: [[String?]]])? = nil,
                             prepare: () async throws -> Void = {}, resetJournals: () -> Void, inject: () -> Void,
                             visible: (WarehouseReader, String) throws -> Void, remove: () -> Void) async throws {
        let reference = if let makeReference { try await makeReference() } else { try await h.referenceContent() }
        try await prepare()
        resetJournals()
        inject()
        let context = "\(h.source), \(fault)"
        let failed = try await h.sluice(["run"])
        #expect(failed.exitCode == 1, "\(context): exit \(failed.exitCode): \(failed.combined)")
        let run = try h.lastRun()
        #expect(run.status == "failed", "\(context)")
        for part in ["job '\(h.job)'", failure.step, failure.cause] {
            #expect(run.error.contains(part), "\(context): the run's error lacks '\(part)': \(run.error)")
            #expect(failed.combined.contains(part), "\(context): the output lacks '\(part)': \(failed.combined)")
        }
        let db = try h.reader()
        #expect(db.scalar("PRAGMA integrity_check") == "ok", "\(context)")
        try visible(db, context)

        remove()
        let again = try await h.sluice(["run"])
        #expect(again.exitCode == 0, "\(context), after removing the fault: \(again.combined)")
        #expect(try h.content() == reference, "\(context): the run after the fault did not converge to the clean content")
    }
}
