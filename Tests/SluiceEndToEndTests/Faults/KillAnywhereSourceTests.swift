import Foundation
import SluiceEmulators
import Testing
import SluiceTestSupport

/// SIGKILL at any moment, for the OAuth sources, in the shape of the cursor feed's kill test:
/// seeded SIGKILLs at any moment of a slowed run, each followed by a run to completion that must reach
/// exactly the clean run's content, with `integrity_check` ok, checkpoints that never point past committed
/// data, and the killed runs `abandoned`.
@Suite("kill anywhere, every source", .serialized)
struct KillAnywhereSourceTests {
    @Test func citrixSurvivesTwentyRandomKills() async throws {
        try await FaultHarness.citrix(rows: 300) { emulator, h in
            emulator.setPageSize(20)
            let rounds = KillRounds(rounds: 20, seed: 0xC17_1E5, slow: { emulator.faults.setDelay(.milliseconds($0 ? 15 : 0)) },
                                    resetProgress: { emulator.journal.reset() },
                                    progress: { emulator.journal.requestCount }) { db, context in
                // The watermark is a committed row's ModifiedDate: it never runs ahead of the rows.
                guard let watermark = db.scalar("SELECT value FROM sluice_state WHERE job='citrix' AND key='watermark.Sessions'")
                else { return }
                let committed = db.rows("SELECT modified_date FROM citrix_sessions").compactMap { $0[0] }
                    .compactMap(FaultTime.millis)
                #expect(committed.contains(FaultTime.millis(watermark) ?? -1),
                        "\(context): watermark \(watermark) has no committed row")
                #expect(committed.allSatisfy { $0 <= FaultTime.millis(watermark) ?? .max }, "\(context)")
            }
            try await rounds.run(h)
        }
    }

    @Test func powerBISurvivesTwentyRandomKills() async throws {
        try await FaultHarness.powerBI { emulator, h in
            let rounds = KillRounds(rounds: 20, seed: 0x9B1_1E5, slow: { emulator.faults.setDelay(.milliseconds($0 ? 25 : 0)) },
                                    resetProgress: { emulator.journal.reset() },
                                    progress: { emulator.journal.requestCount }) { db, context in
                // The ledger never claims a window whose rows are not committed.
                for window in db.rows("SELECT window_start, window_end FROM sluice_coverage WHERE status = 'complete'") {
                    guard let start = window[0], let end = window[1], let from = KillRounds.date(start),
                          let to = KillRounds.date(end) else { continue }
                    let have = db.int("SELECT count(*) FROM pbi_events WHERE creation_time >= ? AND creation_time < ?",
                                      [start, end])
                    #expect(have == emulator.eventCount(from: from, to: to),
                            "\(context): coverage says [\(start), \(end)) is complete but the table has \(have) of its events")
                }
                // Every day the checkpoint says is done is complete in the table.
                guard let through = db.scalar("SELECT value FROM sluice_state WHERE job='pbi' AND key='window_done_through'")
                else { return }
                for day in emulator.days where day + " 23:59:59" <= through {
                    let have = db.int("SELECT count(*) FROM pbi_events WHERE creation_time LIKE ?", [day + "%"])
                    #expect(have == emulator.eventCount(onDay: day),
                            "\(context): checkpoint \(through) but \(day) has \(have) of \(emulator.eventCount(onDay: day))")
                }
            }
            try await rounds.run(h)
        }
    }

    @Test func ws1AKilledDownloadLeavesNothingVisibleAndIsLoadedWholeNextTime() async throws {
        let rows = 12_000
        try await FaultHarness.ws1 { emulator, h in
            let id = emulator.addDownload(modifiedAt: WS1Fixture.day(1), csv: .init(rows: rows, seed: 5))
            let duringDownload = Tally()
            // The listing is slowed; the download itself takes its time parsing 12,000 rows, so the kills
            // after the storage request get a wider spread.
            let rounds = KillRounds(rounds: 20, seed: 0x3571_1E5, jitterMillis: 400,
                                    slow: { emulator.faults.setDelay(.milliseconds($0 ? 30 : 0)) },
                                    resetProgress: { emulator.journal.reset(); emulator.storage.journal.reset() },
                                    progress: { emulator.journal.requestCount + emulator.storage.journal.requestCount }) {
                db, context in
                // All of the download or none of it: rows, snapshot record and checkpoint go together.
                let visible = db.int("SELECT count(*) FROM devices")
                let latest = db.int("SELECT count(*) FROM devices_latest")
                let snapshots = db.int("SELECT count(*) FROM sluice_snapshots")
                let checkpoint = db.scalar("SELECT value FROM sluice_state WHERE job='devices' AND key='last_download_id'")
                if checkpoint == id {
                    #expect(visible == rows && latest == rows && snapshots == 1, "\(context): \(visible) rows visible")
                } else {
                    #expect(checkpoint == nil, "\(context)")
                    // The killed run had reached the CSV: it died while (or just after) streaming the download.
                    if emulator.storage.journal.requestCount > 0 { duringDownload.count += 1 }
                    #expect(visible == 0 && latest == 0 && snapshots == 0,
                            "\(context): \(visible) rows of an unfinished download are visible")
                }
            }
            try await rounds.run(h)
            print("kill anywhere, ws1: \(duringDownload.count) kills landed after the download had started")
            #expect(duringDownload.count >= 3, "too few kills landed inside the download")
            let db = try h.reader()
            #expect(db.int("SELECT count(*) FROM devices") == rows)
            #expect(db.scalar("SELECT DISTINCT _sluice_snapshot_id FROM devices") == id)
            #expect(emulator.storage.requestsWithAuthorization == 0)
        }
    }
}

extension KillAnywhereSourceTests {
    /// With an older download A loaded, kills while the newer B loads leave A exactly as it was (rows, latest
    /// view, checkpoint) and nothing of B; the next run loads B whole.
    @Test func ws1AKilledDownloadLeavesTheOlderSnapshotAsItWas() async throws {
        let (rowsA, rowsB) = (50, 12_000)
        try await FaultHarness.ws1 { emulator, h in
            let a = emulator.addDownload(modifiedAt: WS1Fixture.day(1), csv: .init(rows: rowsA, seed: 1))
            let b = emulator.addDownload(modifiedAt: WS1Fixture.day(2), csv: .init(rows: rowsB, seed: 2))
            let rounds = KillRounds(rounds: 10, seed: 0xB5_1E5, jitterMillis: 400,
                                    slow: { emulator.faults.setDelay(.milliseconds($0 ? 30 : 0)) },
                                    resetProgress: { emulator.journal.reset(); emulator.storage.journal.reset() },
                                    progress: { emulator.journal.requestCount + emulator.storage.journal.requestCount },
                                    prepare: { warehouse in
                emulator.setStatus("PENDING", forDownload: b)
                let loadA = try await h.sluice(["run"], warehouse: warehouse)
                #expect(loadA.exitCode == 0, "\(loadA.combined)")
                emulator.setStatus("COMPLETED", forDownload: b)
            }) { db, context in
                let checkpoint = db.scalar("SELECT value FROM sluice_state WHERE job='devices' AND key='last_download_id'")
                let snapshots = db.rows("SELECT snapshot_id FROM sluice_snapshots ORDER BY snapshot_at").map { $0[0] ?? "" }
                let latest = db.rows("SELECT DISTINCT _sluice_snapshot_id FROM devices_latest").map { $0[0] ?? "" }
                let visible = db.int("SELECT count(*) FROM devices")
                if checkpoint == b {
                    #expect(snapshots == [a, b] && latest == [b] && visible == rowsA + rowsB, "\(context): \(visible) rows")
                } else {
                    #expect(checkpoint == a, "\(context): checkpoint \(checkpoint ?? "nil")")
                    #expect(snapshots == [a] && latest == [a] && visible == rowsA,
                            "\(context): \(visible) rows visible, snapshots \(snapshots), latest \(latest)")
                }
            }
            try await rounds.run(h)
            #expect(try h.reader().scalar("SELECT value FROM sluice_state WHERE key='last_download_id'") == b)
        }
    }
}

/// A counter the kill checks can bump (the checks run one after another, in one task).
final class Tally {
    var count = 0
}
