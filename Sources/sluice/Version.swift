/// What `sluice --version` prints: the release number and the git commit (``BuildInfo``, written at build time).
enum Version {
    /// The release number; the Debian package takes its version from here (`packaging/build-deb.sh`).
    static let number = "0.10.0"

    /// `sluice 0.10.0 (3f2c9a1b0d4e)`.
    static var text: String { "sluice \(number) (\(BuildInfo.commit))" }
}
