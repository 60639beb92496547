/// Exact byte counts for limits in messages: `32 MiB`, `64 KiB`, `1000 bytes`.
package enum ByteCount {
    /// The count in the largest binary unit that divides it exactly.
    package static func text(_ bytes: Int) -> String {
        if bytes != 0, bytes % 1_048_576 == 0 { return "\(bytes / 1_048_576) MiB" }
        if bytes != 0, bytes % 1024 == 0 { return "\(bytes / 1024) KiB" }
        return "\(bytes) bytes"
    }
}
