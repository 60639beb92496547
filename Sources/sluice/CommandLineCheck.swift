import SluiceCore

/// What is wrong with the command line before ArgumentParser sees it: nothing to parse at all, or a mistyped
/// subcommand. A pure decision on the arguments, tested without running anything.
enum CommandLineCheck {
    /// The message to print (and exit 2 with) for `arguments` (argv, program name first), or nil to parse them.
    ///
    /// An empty argv is not "no arguments": every normal start has at least the program's name. It happens when
    /// a process is started with an empty argument vector, or when the arguments cannot be read (the Swift
    /// runtime of some platforms reads them from /proc, which a chroot may lack). Parsing it would print the
    /// help and exit 0, as if a `sluice validate` had passed.
    static func problem(arguments: [String], commands: [String]) -> String? {
        // Linux (5.18 on) turns an empty argv into one empty argument, so that counts as empty too.
        guard !arguments.isEmpty, arguments != [""] else {
            return "sluice: the command line is empty (the process was started without arguments, or they could not "
                + "be read: in a chroot or container, mount /proc); nothing was done"
        }
        guard arguments.count > 1 else { return nil }
        let word = arguments[1]
        guard !word.isEmpty, !word.hasPrefix("-"), word != "help", !commands.contains(word) else { return nil }
        if let near = Suggestion.closest(to: word, among: commands) {
            return "error: unknown command '\(word)'; did you mean '\(near)'?"
        }
        return "error: unknown command '\(word)' (commands: \(commands.joined(separator: ", ")))"
    }
}
