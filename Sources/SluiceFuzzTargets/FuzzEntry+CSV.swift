import SluiceCore

extension FuzzTargets {
    /// The streaming CSV parser: the input is parsed whole and again in chunks whose sizes come from the input's
    /// first byte; both must yield the same records (or the same error), whatever the chunking.
    static func fuzzCSV(_ bytes: [UInt8]) {
        guard let first = bytes.first else { return }
        let body = Array(bytes.dropFirst().prefix(65_536))
        let whole = parse(body, chunk: max(1, body.count))
        let chunked = parse(body, chunk: Int(first % 17) + 1)
        precondition(whole == chunked, "chunking changed the parse: \(whole) vs \(chunked)")
    }

    /// Records (as strings) or the error, for one way of feeding the bytes.
    private static func parse(_ body: [UInt8], chunk: Int) -> Outcome {
        var parser = CSVStreamParser()
        var records: [[String]] = []
        do {
            var offset = 0
            while offset < body.count {
                let end = min(body.count, offset + chunk)
                try parser.feed(Array(body[offset..<end])) { records.append($0.strings) }
                offset = end
            }
            try parser.finish { records.append($0.strings) }
            return .records(records)
        } catch let error as CSVParseError {
            return .failed(error)
        } catch {
            return .other(String(describing: error))
        }
    }

    private enum Outcome: Equatable {
        case records([[String]])
        case failed(CSVParseError)
        case other(String)
    }
}
