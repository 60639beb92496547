/// What one emulated report download contains: a generated CSV (deterministic for a given spec) or a file.
package struct WS1CSVSpec: Sendable, Equatable {
    /// How lines end.
    package enum LineEnding: String, Sendable {
        case crlf = "\r\n"
        case lf = "\n"
    }

    /// Damage done to the body.
    package enum Fault: Sendable, Equatable {
        /// The body stops inside a quoted field past its middle (sent with a matching `Content-Length`).
        case truncated
        /// Data row `row` (1-based) carries one field too many.
        case wrongFieldCount(row: Int)
    }

    /// Data rows (the header is extra).
    package var rows: Int
    /// Columns; the first ten are the awkward ones (spaces and quotes in names, quoted values, WS1 dates),
    /// the rest cycle through integer, decimal, text and date fillers.
    package var columns: Int
    /// Varies the values between downloads.
    package var seed: Int
    /// Starts the body with a UTF-8 byte order mark.
    package var byteOrderMark: Bool
    package var lineEnding: LineEnding
    /// Whether the last row ends with a line end.
    package var finalLineEnding: Bool
    /// Every n-th row has a multi-line `Notes` value (nil: none).
    package var multilineEvery: Int?
    package var fault: Fault?
    /// Serve this file's bytes instead of generating (the benchmark's million-row file).
    package var file: String?

    package init(rows: Int = 25, columns: Int = 10, seed: Int = 1, byteOrderMark: Bool = false, lineEnding: LineEnding = .crlf,
                finalLineEnding: Bool = true, multilineEvery: Int? = 7, fault: Fault? = nil, file: String? = nil) {
        self.rows = rows
        self.columns = columns
        self.seed = seed
        self.byteOrderMark = byteOrderMark
        self.lineEnding = lineEnding
        self.finalLineEnding = finalLineEnding
        self.multilineEvery = multilineEvery
        self.fault = fault
        self.file = file
    }

    /// A spec served from `path`.
    package static func file(_ path: String) -> WS1CSVSpec {
        WS1CSVSpec(rows: 0, file: path)
    }
}
