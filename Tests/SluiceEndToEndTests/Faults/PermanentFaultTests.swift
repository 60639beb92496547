import Foundation
import SluiceEmulators
import Testing
import SluiceTestSupport

/// A fault that must fail the run at once.
enum PermanentFault: Sendable, CustomTestStringConvertible {
    /// The page's JSON is cut short.
    case malformedJSON
    /// Citrix: an OData error body (`{"error":{…}}`) in a 200 answer.
    case odataErrorBody
    /// The request is answered with this status.
    case status(Int)
    /// WS1: the CSV stops inside a quoted field.
    case truncatedCSV
    /// WS1: a data row has one field too many.
    case wrongFieldCount
    /// WS1: the signed storage URL answers with this status.
    case storage(Int)
    /// WS1: the token response is cut short.
    case malformedToken

    static let statuses: [PermanentFault] = [.status(400), .status(403), .status(404)]

    var cause: String {
        switch self {
        case .malformedJSON: "malformed JSON"
        case .odataErrorBody: "InternalError"
        case .status(let s), .storage(let s): "HTTP \(s)"
        case .truncatedCSV: "cut short"
        case .wrongFieldCount: "has 11 fields, the header has 10"
        case .malformedToken: "token"
        }
    }

    var testDescription: String {
        switch self {
        case .malformedJSON: "malformed JSON"
        case .odataErrorBody: "OData error body"
        case .status(let s): "HTTP \(s)"
        case .truncatedCSV: "truncated CSV"
        case .wrongFieldCount: "CSV row with the wrong field count"
        case .storage(let s): "HTTP \(s) from signed storage"
        case .malformedToken: "malformed token response"
        }
    }
}

/// Permanent faults fail the run (exit 1, `failed`) with an error naming job, step and cause;
/// pages before the fault stay with their checkpoint, nothing of the faulted page or download is visible, and
/// the next run after the fault is removed converges to the clean content.
@Suite("permanent faults fail cleanly")
struct PermanentFaultTests {
    /// Pages of 100: page 1 (request 2) commits, page 2 (request 3) is broken.
    @Test(arguments: [PermanentFault.malformedJSON, .odataErrorBody] + PermanentFault.statuses)
    func citrix(_ fault: PermanentFault) async throws {
        try await FaultHarness.citrix { emulator, h in
            try await FaultScenario.failsCleanly(h, fault.testDescription,
                                                 expect: .init(step: "page 2 of Sessions", cause: fault.cause),
                                                 resetJournals: { emulator.journal.reset() }, inject: {
                switch fault {
                case .malformedJSON: emulator.faults.truncateResponse(toRequest: 3)
                case .odataErrorBody: emulator.odataError(onRequest: 3)
                case .status(let s): emulator.faults.failRequest(3, status: s)
                default: Issue.record("not a Citrix fault")
                }
            }, visible: { db, context in
                #expect(db.int("SELECT count(*) FROM citrix_sessions") == 100, "\(context)")
                #expect(db.scalar("SELECT value FROM sluice_state WHERE key='watermark.Sessions'")
                        == emulator.changeDateText("Sessions", row: 100), "\(context): checkpoint moved")
                #expect(emulator.journal.requestCount == 3, "\(context): \(emulator.journal.requests)")
            }, remove: { emulator.faults.reset() })
        }
    }

    /// The second day with events breaks on its page 2: the first day is complete with its checkpoint, the
    /// second day's page 1 is there, nothing after.
    @Test(arguments: [PermanentFault.malformedJSON] + PermanentFault.statuses)
    func powerBI(_ fault: PermanentFault) async throws {
        try await FaultHarness.powerBI { emulator, h in
            // Three days of events; shortly after midnight UTC today may have none yet, which changes nothing here.
            let days = emulator.days
            try #require(days.count >= 2)
            var target = 0
            try await FaultScenario.failsCleanly(h, fault.testDescription,
                                                 expect: .init(step: "page 2 of activity events \(days[1])", cause: fault.cause),
                                                 prepare: {
                // The clean run's journal says which request opens the second day's chain.
                let first = emulator.journal.requests.first { $0.queryValue("startDateTime")?.contains(days[1]) == true }
                target = try #require(first).number + 1
            }, resetJournals: { emulator.journal.reset() }, inject: {
                switch fault {
                case .malformedJSON: emulator.faults.truncateResponse(toRequest: target)
                case .status(let s): emulator.faults.failRequest(target, status: s)
                default: Issue.record("not a Power BI fault")
                }
            }, visible: { db, context in
                let firstDay = emulator.eventCount(onDay: days[0])
                #expect(db.int("SELECT count(*) FROM pbi_events WHERE creation_time LIKE ?", [days[0] + "%"]) == firstDay,
                        "\(context)")
                #expect(db.int("SELECT count(*) FROM pbi_events") == firstDay + 15, "\(context)")
                let through = db.scalar("SELECT value FROM sluice_state WHERE job='pbi' AND key='window_done_through'") ?? ""
                #expect(through >= days[0] + " 23:59:59" && through < days[1] + " 00:00:01",
                        "\(context): checkpoint \(through) is not the end of \(days[0])")
                #expect(emulator.journal.requestCount == target, "\(context)")
            }, remove: { emulator.faults.reset() })
        }
    }

    /// Download A is loaded; the newer B is broken. A stays visible with its checkpoint, nothing of B shows;
    /// once B is repaired the next run loads it whole.
    @Test(arguments: [PermanentFault.truncatedCSV, .wrongFieldCount, .storage(403), .storage(404), .malformedToken]
          + PermanentFault.statuses)
    func ws1(_ fault: PermanentFault) async throws {
        try await FaultHarness.ws1 { emulator, h in
            let fileA = h.dir.path + "/a.csv", fileB = h.dir.path + "/b.csv"
            let cleanB = WS1CSVSpec(rows: 25, seed: 2)
            try Data(WS1CSVGenerator(.init(rows: 20, seed: 1)).body()).write(to: URL(fileURLWithPath: fileA))
            try Data(WS1CSVGenerator(cleanB).body()).write(to: URL(fileURLWithPath: fileB))
            let a = emulator.addDownload(modifiedAt: WS1Fixture.day(1), csv: .file(fileA))
            let b = emulator.addDownload(modifiedAt: WS1Fixture.day(2), csv: .file(fileB))
            let step = switch fault {
            case .status: "list downloads"
            case .malformedToken: "token"
            default: "download \(b)"
            }
            /// Loads A alone, then B, into `warehouse`.
            func loadAThenB(into warehouse: String?, thenB: Bool) async throws {
                emulator.setStatus("PENDING", forDownload: b)
                let first = try await h.sluice(["run"], warehouse: warehouse)
                #expect(first.exitCode == 0, "\(first.combined)")
                emulator.setStatus("COMPLETED", forDownload: b)
                if thenB {
                    let second = try await h.sluice(["run"], warehouse: warehouse)
                    #expect(second.exitCode == 0, "\(second.combined)")
                }
            }
            try await FaultScenario.failsCleanly(h, fault.testDescription, expect: .init(step: step, cause: fault.cause),
                                                 reference: {
                try await loadAThenB(into: h.cleanWarehouse, thenB: true)
                return try h.content(h.cleanWarehouse)
            }, prepare: {
                try await loadAThenB(into: nil, thenB: false)
            }, resetJournals: {
                emulator.journal.reset()
                emulator.storage.journal.reset()
                emulator.tokenEndpoint.journal.reset()
            }, inject: {
                switch fault {
                case .truncatedCSV:
                    var spec = cleanB
                    spec.fault = .truncated
                    try? Data(WS1CSVGenerator(spec).body()).write(to: URL(fileURLWithPath: fileB))
                case .wrongFieldCount:
                    var spec = cleanB
                    spec.fault = .wrongFieldCount(row: 13)
                    try? Data(WS1CSVGenerator(spec).body()).write(to: URL(fileURLWithPath: fileB))
                case .status(let s): emulator.faults.failRequest(1, status: s)
                case .storage(let s): emulator.storage.faults.failRequest(1, status: s)
                case .malformedToken: emulator.tokenEndpoint.faults.truncateResponse(toRequest: 1)
                default: Issue.record("not a WS1 fault")
                }
            }, visible: { db, context in
                #expect(db.scalar("SELECT value FROM sluice_state WHERE job='devices' AND key='last_download_id'") == a,
                        "\(context): checkpoint moved")
                #expect(db.rows("SELECT DISTINCT _sluice_snapshot_id FROM devices") == [[a]], "\(context)")
                #expect(db.int("SELECT count(*) FROM devices") == 20, "\(context)")
                #expect(db.int("SELECT count(*) FROM devices_latest") == 20, "\(context)")
                #expect(db.rows("SELECT snapshot_id FROM sluice_snapshots") == [[a]], "\(context)")
            }, remove: {
                emulator.faults.reset()
                emulator.storage.faults.reset()
                emulator.tokenEndpoint.faults.reset()
                try? Data(WS1CSVGenerator(cleanB).body()).write(to: URL(fileURLWithPath: fileB))
            })
            #expect(try h.reader().scalar("SELECT value FROM sluice_state WHERE key='last_download_id'") == b)
            #expect(emulator.storage.requestsWithAuthorization == 0)
        }
    }

    /// Pages of 50: pages 1-2 commit, page 3 (request 3) is broken.
    @Test(arguments: [PermanentFault.malformedJSON] + PermanentFault.statuses)
    func cursorFeed(_ fault: PermanentFault) async throws {
        try await FaultHarness.cursorFeed { feed, h in
            try await FaultScenario.failsCleanly(h, fault.testDescription, expect: .init(step: "page 3", cause: fault.cause),
                                                 resetJournals: { feed.journal.reset() }, inject: {
                switch fault {
                case .malformedJSON: feed.faults.truncateResponse(toRequest: 3)
                case .status(let s): feed.faults.failRequest(3, status: s)
                default: Issue.record("not a cursor-feed fault")
                }
            }, visible: { db, context in
                #expect(db.int("SELECT count(*) FROM feed_rows") == 100, "\(context)")
                #expect(db.scalar("SELECT value FROM sluice_state WHERE job='feed' AND key='watermark'")
                        == feed.updatedAt(id: 100), "\(context): checkpoint moved")
                #expect(feed.journal.requestCount == 3, "\(context)")
            }, remove: { feed.faults.reset() })
        }
    }
}
