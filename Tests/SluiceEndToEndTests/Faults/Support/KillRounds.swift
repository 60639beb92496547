import Foundation
import Testing
import SluiceTestSupport

/// The kill-anywhere procedure for any source, in the shape of the cursor feed's test.
///
/// A slowed clean run (into `clean.db`) gives the reference content and how many requests a whole run makes.
/// Each round then starts from an empty warehouse, starts `sluice run`, and SIGKILLs it at a seeded moment:
/// once the emulators have seen a seeded number of requests (0 … all of them, so start-up, every page and the
/// final commits are all candidates), plus a seeded extra delay. Counting requests instead of milliseconds keeps
/// the kills inside the run however loaded the machine is. The cut-off warehouse is checked
/// (`integrity_check`, the source's own checkpoint rule), the job re-run to completion and compared with the
/// reference; killed runs must end up `abandoned`.
struct KillRounds {
    var rounds: Int
    var seed: UInt64
    /// The longest extra delay after the chosen request, in milliseconds.
    var jitterMillis: Int = 40
    /// Turns the emulator's slowness on (true) or off (false).
    var slow: (Bool) -> Void
    /// Forgets the requests counted so far (called before every run of the job).
    var resetProgress: () -> Void
    /// Requests the emulators have seen since the last `resetProgress()`.
    var progress: () -> Int
    /// Brings a warehouse (given by path) to the state every round starts from, e.g. an older download loaded;
    /// nil: an empty warehouse.
    var prepare: ((String) async throws -> Void)? = nil
    /// Source rule checked on a migrated warehouse left by a kill; the string is the round's context.
    var checkKilled: (WarehouseReader, String) throws -> Void

    /// Runs the rounds; returns how many kills landed while a run was in flight.
    @discardableResult
    func run(_ h: FaultHarness) async throws -> Int {
        try await prepare?(h.cleanWarehouse)
        slow(true)
        resetProgress()
        let reference = try await h.referenceContent()
        let steps = progress()
        print("kill anywhere, \(h.source): \(rounds) rounds, seed \(seed), \(steps) requests in a clean run")
        #expect(reference.values.allSatisfy { !$0.isEmpty }, "\(h.source): the clean run loaded nothing")
        var random = SeededRandom(seed: seed)
        var interrupted = 0
        var recoveries = 0
        for round in 1...rounds {
            h.removeWarehouse()
            try await prepare?(h.dir.warehouse)
            slow(true)
            resetProgress()
            let after = Int.random(in: 0...steps, using: &random)
            let extra = Int.random(in: 0...jitterMillis, using: &random)
            let context = "\(h.source) round \(round), kill \(extra) ms after request \(after) of \(steps), seed \(seed)"
            let process = try h.startRun()
            let deadline = Date().addingTimeInterval(30)
            while progress() < after, process.process.isRunning, Date() < deadline {
                try await Task.sleep(for: .milliseconds(2))
            }
            try await Task.sleep(for: .milliseconds(extra))
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
                // A kill during start-up can leave the file created but not yet migrated: nothing to check.
                if db.int("SELECT count(*) FROM sqlite_master WHERE name = 'sluice_state'") == 1 {
                    if db.int("SELECT count(*) FROM sluice_runs WHERE status = 'running'") > 0 { interrupted += 1 }
                    try checkKilled(db, context)
                }
            }
            slow(false)
            resetProgress()
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

extension KillRounds {
    /// The instant of warehouse timestamp text (`YYYY-MM-DD HH:MM:SS[.mmm]`, UTC).
    static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = text.contains(".") ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        return formatter.date(from: text.replacingOccurrences(of: " ", with: "T") + "Z")
    }
}
