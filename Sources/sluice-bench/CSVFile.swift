import Foundation
import SluiceEmulators

/// The benchmark's CSV file, written once by the emulator's generator (so the emulator can serve the very
/// bytes that `sqlite3 .import` reads).
enum CSVFile {
    /// Writes `options.csvPath` unless it exists; returns its size in bytes.
    static func write(_ options: BenchOptions) throws -> Int {
        let path = options.csvPath
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int { return size }
        let generator = WS1CSVGenerator(.init(rows: options.csvRows, columns: options.columns, seed: 7))
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw BenchOptions.UsageError(description: "cannot create \(path)")
        }
        defer { try? handle.close() }
        var chunk = generator.head()
        var total = 0
        for row in 1...options.csvRows {
            generator.appendRow(row, to: &chunk)
            if chunk.count >= 4 << 20 {
                try handle.write(contentsOf: chunk)
                total += chunk.count
                chunk.removeAll(keepingCapacity: true)
            }
        }
        try handle.write(contentsOf: chunk)
        return total + chunk.count
    }
}
