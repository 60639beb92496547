import SluiceCore
import Testing
@testable import SluiceWarehouse

/// A table keeps the pseudonyms of one key and one field list; the warehouse refuses to mix in others.
@Suite struct PseudonymTableTests {
    let keyA = PseudonymFingerprint(keyCheck: "aaaaaaaaaaaaaaaa", fields: ["Name"])
    let keyB = PseudonymFingerprint(keyCheck: "bbbbbbbbbbbbbbbb", fields: ["Name"])

    func batch(_ id: Int64, _ fingerprint: PseudonymFingerprint?, table: String = "devices") -> Batch {
        var batch = devicesBatch([[.integer(id), .text("hash-\(id)")]], table: table)
        batch.target.pseudonyms = fingerprint
        return batch
    }

    @Test func theFirstPseudonymisedPageRecordsTheFingerprintAndTheSameOneIsAccepted() async throws {
        try await withWarehouse { warehouse, path in
            let run = try await warehouse.beginRun(job: "pbi", trigger: .manual)
            #expect(try await warehouse.commit(batch(1, keyA), job: "pbi", runID: run) == 1)
            #expect(try await warehouse.commit(batch(2, keyA), job: "pbi", runID: run) == 1)
            let reader = try openReader(path)
            #expect(try reader.rows("SELECT table_name, key_check, fields, set_by_job FROM sluice_pseudonyms")
                == [[.text("devices"), .text("aaaaaaaaaaaaaaaa"), .text("Name"), .text("pbi")]])
            let state = try await warehouse.pseudonymState(table: "devices")
            #expect(state.stored == keyA && state.holdsData)
        }
    }

    @Test func anotherKeyIsRefusedAndWritesNothing() async throws {
        try await withWarehouse { warehouse, path in
            let run = try await warehouse.beginRun(job: "pbi", trigger: .manual)
            _ = try await warehouse.commit(batch(1, keyA), job: "pbi", runID: run)
            await #expect(throws: SluiceError.self) {
                try await warehouse.commit(batch(2, keyB), job: "pbi", runID: run)
            }
            do {
                _ = try await warehouse.commit(batch(2, keyB), job: "pbi", runID: run)
            } catch let error as SluiceError {
                #expect(error.message.contains("table 'devices' holds pseudonyms made with another pseudonym_key"))
                #expect(error.step.contains("commit page 1"))
            }
            #expect(try openReader(path).scalar("SELECT count(*) FROM devices") == .integer(1))
        }
    }

    @Test func pseudonymsIntoATableOfClearValuesAreRefused() async throws {
        try await withWarehouse { warehouse, _ in
            let run = try await warehouse.beginRun(job: "pbi", trigger: .manual)
            _ = try await warehouse.commit(batch(1, .clear), job: "pbi", runID: run)
            await #expect(throws: SluiceError.self) {
                try await warehouse.commit(batch(2, keyA), job: "pbi", runID: run)
            }
        }
    }

    @Test func aNewTableStartsOver() async throws {
        try await withWarehouse { warehouse, _ in
            let run = try await warehouse.beginRun(job: "pbi", trigger: .manual)
            _ = try await warehouse.commit(batch(1, keyA), job: "pbi", runID: run)
            #expect(try await warehouse.commit(batch(1, keyB, table: "devices_v2"), job: "pbi", runID: run) == 1)
        }
    }
}
