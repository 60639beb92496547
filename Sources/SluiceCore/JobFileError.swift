/// One problem in a job file, with the place it was found.
///
/// `description` reads `jobs/foo.yaml:12: unknown key 'scheduel' in job (did you mean 'schedule'?)`, the
/// way compilers report errors, so editors and terminals can jump to the line. A message never contains the
/// value of a secret: where a value may be one, the message names the key only.
package struct JobFileError: Error, CustomStringConvertible, Sendable, Hashable {
    /// The file as it was named to the decoder (a path, or the directory for directory-level problems).
    package var file: String
    /// 1-based line; 0 when the problem concerns the whole file or directory.
    package var line: Int
    /// 1-based column, when known.
    package var column: Int?
    /// What is wrong and, where possible, how to fix it.
    package var message: String

    /// Creates an error at `line` (0 for the whole file) of `file`.
    package init(file: String, line: Int, column: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line: message`, or `file: message` when there is no line.
    package var description: String {
        line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)"
    }
}

/// Every problem found in one job file; thrown by ``JobFileDecoder/decode(yaml:file:)`` and
/// ``JobFileDecoder/load(path:)``.
///
/// The decoder collects all problems of a file rather than stopping at the first, so an operator fixes a
/// file in one pass.
package struct JobFileErrors: Error, CustomStringConvertible, Sendable, Hashable {
    /// The problems, ordered by line; never empty.
    package var errors: [JobFileError]

    /// Wraps `errors`, ordering them by line (then column) so the output reads top to bottom.
    package init(_ errors: [JobFileError]) {
        self.errors = errors.sorted { a, b in
            if a.file != b.file { return a.file < b.file }
            if a.line != b.line { return a.line < b.line }
            return (a.column ?? 0) < (b.column ?? 0)
        }
    }

    /// One problem per line.
    package var description: String {
        errors.map(\.description).joined(separator: "\n")
    }
}
