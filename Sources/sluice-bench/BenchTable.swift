/// One line of a benchmark's result table: the figure, its anchor measured in the same run, the ratio and
/// the target it is held to.
struct BenchLine: Sendable {
    var name: String
    var figure: String
    var anchor: String
    var ratio: String
    var target: String
}

/// Prints result tables in Markdown (they go into the README as printed) and keeps them for `all`'s summary.
actor BenchTable {
    static let shared = BenchTable()
    private var printed: [(String, [BenchLine])] = []

    /// Prints `lines` under `title` and remembers them.
    func report(_ title: String, _ lines: [BenchLine]) {
        printed.append((title, lines))
        print(Self.render(title, lines))
    }

    /// Every table printed so far, in order.
    func all() -> String {
        printed.map { Self.render($0.0, $0.1) }.joined(separator: "\n")
    }

    static func render(_ title: String, _ lines: [BenchLine]) -> String {
        var out = "\n### \(title)\n\n| measurement | figure | anchor (same run) | ratio | target |\n|---|---|---|---|---|\n"
        for line in lines {
            out += "| \(line.name) | \(line.figure) | \(line.anchor) | \(line.ratio) | \(line.target) |\n"
        }
        return out
    }
}
