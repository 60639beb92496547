import Foundation
import Testing

/// The kill-anywhere procedure of design.md §7.2 for any source, in the shape of the cursor feed's test.
///
/// A slowed clean run (into `clean.db`) gives the reference content and the run's length; then each round
/// starts from an empty warehouse, SIGKILLs `sluice run` at a seeded moment inside that length, checks the
/// cut-off warehouse (`integrity_check`, the source's own checkpoint rule), re-runs to completion, and
/// compares with the reference. Killed runs must end up `abandoned`.
struct KillRounds {
    var rounds: Int
    var seed: UInt64
    /// Turns the emulator's slowness on (true) or off (false).
    var slow: (Bool) -> Void
    /// Source rule checked on a warehouse left by a kill; the string is the round's context for messages.
    var checkKilled: (WarehouseReader, String) throws -> Void

    /// Runs the rounds; returns how many kills landed while a run was in flight.
    @discardableResult
    func run(_ h: FaultHarness) async throws -> Int {
        print("kill anywhere, \(h.source): \(rounds) rounds, seed \(seed)")
        slow(true)
        let started = Date()
        let reference = try await h.referenceContent()
        let cleanMillis = Int(Date().timeIntervalSince(started) * 1000)
        #expect(reference.values.allSatisfy { !$0.isEmpty }, "\(h.source): the clean run loaded nothing")
        var random = SeededRandom(seed: seed)
        var interrupted = 0
        var recoveries = 0
        for round in 1...rounds {
            h.removeWarehouse()
            slow(true)
            // Anywhere from process start-up to the end of a clean run's length.
            let at = Int.random(in: 20...max(40, cleanMillis), using: &random)
            let context = "\(h.source) round \(round), kill at \(at) ms of \(cleanMillis), seed \(seed)"
            let process = try h.startRun()
            try await Task.sleep(for: .milliseconds(at))
            process.signal(SIGKILL)
            let killed = try await process.wait(timeout: 30)
            h.outputs.append(killed.combined)

            if FileManager.default.fileExists(atPath: h.dir.warehouse) {
                var db = try h.reader()
                if WALRecovery.isNeeded(db.scalar("PRAGMA integrity_check")) {
                    recoveries += 1
                    #expect(WALRecovery.recover(h.dir.warehouse) == 0, "\(context): WAL recovery failed")
                    db = try h.reader()
                }
                #expect(db.scalar("PRAGMA integrity_check") == "ok", "\(context)")
                if db.int("SELECT count(*) FROM sluice_runs WHERE status = 'running'") > 0 { interrupted += 1 }
                try checkKilled(db, context)
            }
            slow(false)
            let rerun = try await h.sluice(["run"])
            #expect(rerun.exitCode == 0, "\(context): \(rerun.combined)")
            #expect(try h.content() == reference, "\(context): content differs from the clean run")
            let db = try h.reader()
            #expect(db.scalar("PRAGMA integrity_check") == "ok", "\(context)")
            #expect(db.int("SELECT count(*) FROM sluice_runs WHERE status = 'running'") == 0, "\(context)")
            let cut = db.int("SELECT count(*) FROM sluice_runs WHERE run_id < (SELECT max(run_id) FROM sluice_runs) "
                             + "AND status NOT IN ('succeeded', 'unchanged')")
            #expect(db.int("SELECT count(*) FROM sluice_runs WHERE status = 'abandoned'") == cut, "\(context)")
        }
        print("kill anywhere, \(h.source): \(interrupted) of \(rounds) kills landed mid-run; "
              + "\(recoveries) left a WAL that a read-only reader could open only after a writer's recovery")
        #expect(interrupted >= rounds / 2, "\(h.source): only \(interrupted) of \(rounds) kills hit a run in flight")
        return interrupted
    }
}
