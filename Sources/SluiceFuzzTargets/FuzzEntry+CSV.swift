extension FuzzTargets {
    /// The CSV parser target: wired once the WS1 source's streaming parser exists.
    static func fuzzCSV(_ bytes: [UInt8]) {
        _ = bytes
    }
}
