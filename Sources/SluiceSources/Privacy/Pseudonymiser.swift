import Crypto
package import SluiceCore

/// Replaces a value by its keyed hash: HMAC-SHA256 under the job's `pseudonym_key`, as lower-case hex, cut to
/// ``hexLength`` characters.
///
/// The same value under the same key gives the same pseudonym in every run, job and source, so analysts can
/// still count distinct people and join tables; without the key nobody can compute the pseudonym of a guessed
/// value (unlike a plain hash, which a dictionary of e-mail addresses reverses in seconds).
///
/// 32 hex characters keep 128 bits. The chance that any two of n distinct values share a pseudonym is at most
/// n²/2¹²⁹: about 1.5·10⁻²¹ for a billion values, so a collision that merges two people is negligible.
package struct Pseudonymiser: Sendable {
    /// Characters kept of the 64-character hex HMAC (128 bits).
    package static let hexLength = 32
    /// The text whose HMAC is stored as the key's check value (never the key itself).
    static let keyCheckText = "sluice pseudonym key check"
    /// Characters of the key check kept: enough to tell keys apart, too few to be a pseudonym of anything.
    static let keyCheckLength = 16

    private let key: SymmetricKey

    /// - Parameter key: the secret `pseudonym_key` resolved; its UTF-8 bytes are the HMAC key.
    package init(key: String) {
        self.key = SymmetricKey(data: Array(key.utf8))
    }

    /// The text that is hashed: surrounding white space removed, and e-mail-like values (containing `@`)
    /// lower-cased, so `Alice@Contoso.com ` and `alice@contoso.com` stay one person.
    package static func normalised(_ text: String) -> String {
        let trimmed = text.trimmingWhitespace()
        return trimmed.contains("@") ? trimmed.lowercased() : trimmed
    }

    /// The pseudonym of `text` (after ``normalised(_:)``).
    package func pseudonym(_ text: String) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: Array(Self.normalised(text).utf8), using: key), length: Self.hexLength)
    }

    /// The pseudonym of a cell: null stays null (no person), anything else is hashed in its text form.
    package func pseudonym(_ value: Value) -> Value {
        switch value {
        case .null: return .null
        case .text(let s): return .text(pseudonym(s))
        case .integer(let i): return .text(pseudonym(String(i)))
        case .double(let d): return .text(pseudonym(d.rounded() == d && abs(d) < 9.0e15 ? String(Int64(d)) : String(d)))
        case .bool(let b): return .text(pseudonym(b ? "true" : "false"))
        }
    }

    /// The pseudonym of a JSON value, equal to the cell's for the same scalar; objects and arrays are hashed
    /// as their JSON text.
    package func pseudonym(_ json: JSONValue) -> JSONValue {
        let cell: Value
        switch json {
        case .null: return .null
        case .string(let s): cell = .text(s)
        case .integer(let i): cell = .integer(i)
        case .double(let d): cell = .double(d)
        case .bool(let b): cell = .bool(b)
        case .array, .object: cell = .text(json.jsonText)
        }
        guard case .text(let hashed) = pseudonym(cell) else { return .null }
        return .string(hashed)
    }

    /// What tells this key from another in `sluice_pseudonyms`: the HMAC of a fixed text, shortened.
    package var keyCheck: String {
        hex(HMAC<SHA256>.authenticationCode(for: Array(Self.keyCheckText.utf8), using: key), length: Self.keyCheckLength)
    }

    /// The fingerprint of pseudonymising `fields` with this key.
    package func fingerprint(fields: [String]) -> PseudonymFingerprint {
        PseudonymFingerprint(keyCheck: keyCheck, fields: fields)
    }

    private func hex(_ code: HMAC<SHA256>.MAC, length: Int) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(length)
        for byte in code where out.count < length {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out.prefix(length), as: UTF8.self)
    }
}
