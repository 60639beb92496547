import SluiceCore
import Testing

/// When a job may write into a table that already holds values: only when they were made the same way.
@Suite struct PseudonymFingerprintTests {
    let keyA = PseudonymFingerprint(keyCheck: "aaaa", fields: ["UserId", "ClientIP"])

    @Test func theSameKeyAndFieldsAreAccepted() {
        let same = PseudonymFingerprint(keyCheck: "aaaa", fields: ["ClientIP", "UserId"])
        #expect(PseudonymFingerprint.decide(table: "t", stored: keyA, holdsData: true, wanted: same) == .accept)
    }

    @Test func theFirstPseudonymsOfAnEmptyTableAreRecorded() {
        #expect(PseudonymFingerprint.decide(table: "t", stored: nil, holdsData: false, wanted: keyA) == .record)
        #expect(PseudonymFingerprint.decide(table: "t", stored: nil, holdsData: false, wanted: .clear) == .accept)
        #expect(PseudonymFingerprint.decide(table: "t", stored: nil, holdsData: true, wanted: .clear) == .accept)
    }

    @Test func anotherKeyOnATableWithDataIsRefusedNamingTheTableAndTheWayOut() {
        let keyB = PseudonymFingerprint(keyCheck: "bbbb", fields: ["UserId", "ClientIP"])
        guard case .refuse(let why) = PseudonymFingerprint.decide(table: "pbi_events", stored: keyA, holdsData: true,
                                                                   wanted: keyB) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(why.contains("table 'pbi_events'") && why.contains("another pseudonym_key"))
        #expect(why.contains("set a new target.table"))
    }

    @Test func anotherFieldListIsRefused() {
        let fewer = PseudonymFingerprint(keyCheck: "aaaa", fields: ["UserId"])
        guard case .refuse(let why) = PseudonymFingerprint.decide(table: "t", stored: keyA, holdsData: true, wanted: fewer) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(why.contains("holds pseudonyms of ClientIP, UserId, but the job now pseudonymises UserId"))
    }

    @Test func clearValuesAndPseudonymsNeverMeetInOneTable() {
        if case .refuse = PseudonymFingerprint.decide(table: "t", stored: nil, holdsData: true, wanted: keyA) {} else {
            Issue.record("hashing into a table of clear values must be refused")
        }
        if case .refuse = PseudonymFingerprint.decide(table: "t", stored: keyA, holdsData: true, wanted: .clear) {} else {
            Issue.record("clear values into a table of pseudonyms must be refused")
        }
    }

    @Test func theStoredFormReadsBackTheSame() {
        #expect(PseudonymFingerprint(keyCheck: "aaaa", storedFields: keyA.storedFields) == keyA)
        #expect(PseudonymFingerprint(keyCheck: "", storedFields: "") == .clear)
    }
}
