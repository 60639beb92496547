/// "Did you mean …?" for a mistyped word: the job file's keys and values, the command line's subcommands.
package enum Suggestion {
    /// The word of `allowed` closest to `word` when it is within two edits (a swap counts as one), else nil.
    package static func closest(to word: String, among allowed: [String]) -> String? {
        JobFileReader.suggestion(for: word, among: allowed)
    }
}
