import SluiceCore
import SluiceSources
import Testing

/// The keyed hash behind `pseudonymise:`.
@Suite struct PseudonymiserTests {
    let hasher = Pseudonymiser(key: "test-key")

    @Test func aPseudonymIsTheHMACSHA256OfTheValueCutTo32HexCharacters() {
        // Reference values from Python's hmac module: hmac.new(b"test-key", b"…", sha256).hexdigest()[:32].
        #expect(hasher.pseudonym("alice@contoso.com") == "ccbe6e5c3713dd4618ed4c079f56940b")
        #expect(hasher.pseudonym("42") == "29a6eb6f6fbb448754e3d58fd69b4abf")
        #expect(Pseudonymiser.hexLength == 32)
    }

    @Test func theSameValueAndKeyGiveTheSamePseudonymEveryTime() {
        let again = Pseudonymiser(key: "test-key")
        #expect(hasher.pseudonym("10.0.1.7") == again.pseudonym("10.0.1.7"))
        #expect(hasher.pseudonym("10.0.1.7") != hasher.pseudonym("10.0.1.8"))
    }

    @Test func anotherKeyGivesAnUnrelatedPseudonym() {
        let other = Pseudonymiser(key: "another-key")
        #expect(other.pseudonym("alice@contoso.com") != hasher.pseudonym("alice@contoso.com"))
        #expect(other.keyCheck != hasher.keyCheck)
    }

    @Test func eMailAddressesAreLowerCasedAndTrimmedBeforeHashing() {
        #expect(hasher.pseudonym(" Alice@Contoso.COM ") == hasher.pseudonym("alice@contoso.com"))
        #expect(Pseudonymiser.normalised(" Alice@X ") == "alice@x")
        // Without an @ the case is the value's own (user names, SIDs and IPs are compared as sent).
        #expect(Pseudonymiser.normalised(" CONTOSO\\Alice ") == "CONTOSO\\Alice")
        #expect(hasher.pseudonym("CONTOSO\\Alice") != hasher.pseudonym("contoso\\alice"))
    }

    @Test func cellsHashTheirTextFormAndNullStaysNull() {
        #expect(hasher.pseudonym(Value.null) == .null)
        #expect(hasher.pseudonym(Value.integer(42)) == .text("29a6eb6f6fbb448754e3d58fd69b4abf"))
        #expect(hasher.pseudonym(Value.text("42")) == hasher.pseudonym(Value.integer(42)))
        #expect(hasher.pseudonym(JSONValue.integer(42)) == .string("29a6eb6f6fbb448754e3d58fd69b4abf"))
        #expect(hasher.pseudonym(JSONValue.null) == .null)
    }

    @Test func theKeyCheckIsAnHMACOfAFixedTextAndNeverTheKey() {
        #expect(hasher.keyCheck == "639c226132b57f41")
        #expect(!hasher.keyCheck.contains("test-key"))
        #expect(hasher.fingerprint(fields: ["UserId", "ClientIP"]) ==
            PseudonymFingerprint(keyCheck: "639c226132b57f41", fields: ["ClientIP", "UserId"]))
    }
}
