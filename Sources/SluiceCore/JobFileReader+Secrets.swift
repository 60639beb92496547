import Yams

/// Secret references and the rule that secrets are never written literally.
///
/// Messages here name keys, never values: a value under a secret key may be the secret itself, even when
/// it sits in the wrong place (`{env: the-actual-password}`).
extension JobFileReader {
    /// Keys whose value is a secret and must be a reference.
    static let secretKeys: Set<String> = ["token", "client_id", "client_secret", "customer_id", "tenant_id", "service_account",
                                          "pseudonym_key"]

    /// Word parts that mark an unknown key as holding a secret.
    private static let secretWords = ["password", "passwd", "secret", "api_key", "apikey", "access_token", "refresh_token"]

    /// Whether a value under `key` is taken for a secret.
    static func looksSecret(_ key: String) -> Bool {
        let k = key.lowercased()
        return secretKeys.contains(k) || secretWords.contains { k.contains($0) }
    }

    static func literalSecretMessage(_ key: String) -> String {
        "\(key) is written literally; use {env: NAME}, {file: /path} or {credential: name} (the value is not shown)"
    }

    /// Records every non-empty single value written under a secret-looking key, anywhere in the tree,
    /// known key or not. ``secret(_:_:required:)`` relies on this scan for the literal case.
    func scanLiteralSecrets(_ node: Node) {
        switch node {
        case .mapping(let mapping):
            for (key, value) in mapping {
                if let name = key.scalar?.string, Self.looksSecret(name), value.scalar != nil, !Self.isNull(value) {
                    fail(at: value, Self.literalSecretMessage(name))
                }
                scanLiteralSecrets(value)
            }
        case .sequence(let sequence):
            for item in sequence { scanLiteralSecrets(item) }
        case .scalar, .alias:
            break
        }
    }

    /// The reference under `key`: a block with exactly one of `env`, `file` or `credential`.
    func secret(_ map: JobFileMap, _ key: String, required: Bool = false) -> SecretRef? {
        guard let entry = entry(map, key, required: required) else { return nil }
        let path = map.keyPath(key)
        let shape = "\(path) must be {env: NAME}, {file: /path} or {credential: name}"
        switch entry.value {
        case .scalar:
            return nil  // reported by scanLiteralSecrets, which runs over the whole file first
        case .sequence, .alias:
            fail(at: entry.value, shape)
            return nil
        case .mapping:
            break
        }
        guard let ref = self.map(entry.value, path: path, line: entry.line) else { return nil }
        checkKeys(ref, allowed: ["env", "file", "credential"])
        let given = ref.entries.filter { ["env", "file", "credential"].contains($0.key) }
        guard given.count == 1, let only = given.first else {
            fail(at: entry.value, given.isEmpty ? shape : "\(path) must use exactly one of env, file or credential")
            return nil
        }
        guard let text = only.value.scalar?.string, !Self.isNull(only.value),
              !text.trimmingWhitespace().isEmpty else {
            fail(at: only.value, "\(path).\(only.key) must be a single non-empty value")
            return nil
        }
        let name = text.trimmingWhitespace()
        switch only.key {
        case "env":
            guard Self.matches(name, first: { $0 == "_" || Self.isLetter($0) },
                               rest: { $0 == "_" || Self.isLetter($0) || Self.isDigit($0) }) else {
                fail(at: only.value, "\(path).env must name an environment variable (letters, digits and _)")
                return nil
            }
            return .env(name)
        case "file":
            guard name.hasPrefix("/") else {
                fail(at: only.value, "\(path).file must be an absolute path (starting with /)")
                return nil
            }
            return .file(name)
        default:
            guard !name.contains("/"), name != ".", name != ".." else {
                fail(at: only.value, "\(path).credential must be a plain credential name without /, "
                    + "as given to systemd's LoadCredential= (use file: for a path)")
                return nil
            }
            return .credential(name)
        }
    }
}
