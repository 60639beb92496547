/// Counts as people write them: `1 row`, `2 rows`, `0 pages`.
package enum CountText {
    /// `n` and `noun`, with an `s` unless `n` is 1 (every noun Sluice counts takes a plain `s`).
    package static func format<N: BinaryInteger>(_ n: N, _ noun: String) -> String {
        "\(n) \(noun)\(n == 1 ? "" : "s")"
    }
}
