import CSV
import Foundation
import SluiceCore
import SluiceSources

/// The hand-written streaming parser against CSV.swift (yaslab/CSV.swift 2.5.2) on the same file's bytes.
struct ParserComparison {
    let options: BenchOptions

    struct Result {
        var name: String
        var records: Int
        var fields: Int
        var seconds: Double
    }

    /// Generates the file if needed, then compares.
    func runStandalone() async throws {
        try FileManager.default.createDirectory(atPath: options.directory, withIntermediateDirectories: true)
        defer { if !options.keep { try? FileManager.default.removeItem(atPath: options.directory) } }
        let bytes = try CSVFile.write(options)
        print("file: \(options.csvPath), \(BenchMeasure.grouped(bytes)) bytes")
        try compare()
    }

    /// Parses the file with both parsers (1 MiB reads) and prints records, fields and MB/s.
    func compare() throws {
        let size = Double((try FileManager.default.attributesOfItem(atPath: options.csvPath)[.size] as? Int) ?? 0)
        let mine = try timed("hand-written CSVStreamParser") { try handWritten() }
        let theirs = try timed("CSV.swift 2.5.2 CSVReader") { try csvSwift() }
        for result in [mine, theirs] {
            print("  \(result.name): \(BenchMeasure.grouped(result.records)) records, \(BenchMeasure.grouped(result.fields)) fields, "
                + "\(BenchMeasure.format(result.seconds)) s, \(BenchMeasure.format(size / 1_048_576 / result.seconds, 1)) MiB/s")
        }
        let agree = mine.records == theirs.records && mine.fields == theirs.fields
        print("  same records and fields: \(agree ? "yes" : "NO")")
        print("  hand-written is \(BenchMeasure.format(theirs.seconds / mine.seconds, 1))× the speed of CSV.swift")
    }

    private func timed(_ name: String, _ body: () throws -> (Int, Int)) throws -> Result {
        let start = ContinuousClock.now
        let (records, fields) = try body()
        let elapsed = ContinuousClock.now - start
        return Result(name: name, records: records, fields: fields,
                      seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    private func handWritten() throws -> (Int, Int) {
        guard let handle = FileHandle(forReadingAtPath: options.csvPath) else { throw BenchOptions.UsageError(description: "cannot read the CSV") }
        defer { try? handle.close() }
        var parser = CSVStreamParser()
        var records = 0, fields = 0, characters = 0
        // A string is made for every field (as CSV.swift does), so both sides do the same work.
        while let data = try handle.read(upToCount: 1 << 20), !data.isEmpty {
            try data.withUnsafeBytes { raw in
                try parser.feed(raw) { record in
                    records += 1
                    fields += record.count
                    for index in 0..<record.count { characters &+= record.string(index).utf8.count }
                }
            }
        }
        try parser.finish { record in
            records += 1
            fields += record.count
        }
        if characters < 0 { print(characters) }  // keeps the strings from being optimised away
        return (records, fields)
    }

    private func csvSwift() throws -> (Int, Int) {
        guard let stream = InputStream(fileAtPath: options.csvPath) else { throw BenchOptions.UsageError(description: "cannot read the CSV") }
        let reader = try CSVReader(stream: stream, hasHeaderRow: false)
        var records = 0, fields = 0
        while let row = reader.next() {
            records += 1
            fields += row.count
        }
        return (records, fields)
    }
}
