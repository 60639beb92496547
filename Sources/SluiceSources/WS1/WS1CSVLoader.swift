import SluiceCore

/// Turns the records of one downloaded CSV into warehouse batches: header → columns, a sample of rows →
/// column types, every row → typed values, checked for the header's field count.
///
/// Rows are handed out as parts of one dataset (``DatasetPart``), `batchRows` at a time; ``finish(checkpoint:)``
/// returns the last part, which carries the checkpoint and publishes the download: it becomes visible in one
/// piece or not at all.
struct WS1CSVLoader {
    let target: TableTarget
    /// The download's id, when it was produced, and how it is named ("download 416c…").
    let dataset: (id: String, producedAt: String)
    /// Names the download in errors and progress: "download 416c…".
    let origin: String
    let batchRows: Int
    /// A batch is also cut once its text reaches this many bytes, far below what one batch can hold
    /// (``PackedRows/textLimit``), so memory per batch stays bounded whatever the row width.
    let batchTextBytes: Int
    /// The most text one batch may hold before the load fails (tests lower it).
    let maxBatchTextBytes: Int
    let sampleRows: Int
    /// Types already decided: job-file overrides first, then the warehouse's existing columns.
    let knownTypes: [String: ColumnType]

    private var header: [String]?
    private var columns: [Column]?
    private var sample: [[String]] = []
    /// Rows of the batch being filled, packed (see ``PackedRows``); sized once the columns are known.
    private var rows = PackedRows(columnCount: 0)
    private var ready: [Batch] = []
    private var batchesMade = 0
    /// Data rows read so far (the header is not one).
    private(set) var dataRows = 0
    /// Body bytes since the last batch, for progress.
    var pendingBytes = 0

    init(target: TableTarget, dataset: (id: String, producedAt: String), origin: String, knownTypes: [String: ColumnType],
         batchRows: Int = 5000, sampleRows: Int = 1000, batchTextBytes: Int = 64 * 1_048_576,
         maxBatchTextBytes: Int = PackedRows.textLimit) {
        self.target = target
        self.dataset = dataset
        self.origin = origin
        self.knownTypes = knownTypes
        self.batchRows = max(1, batchRows)
        self.batchTextBytes = batchTextBytes
        self.maxBatchTextBytes = maxBatchTextBytes
        self.sampleRows = max(1, min(sampleRows, batchRows))
    }

    /// Takes one parsed record: the header first, then data rows.
    mutating func add(_ record: CSVRecord) throws(SluiceError) {
        guard let header else {
            guard record.count <= Column.maxColumns else {
                throw SluiceError(.badData, step: origin, "the header has \(record.count) columns; a table holds at "
                    + "most \(Column.maxColumns); nothing of this download was loaded")
            }
            header = Column.uniqueSourceNames(record.strings)
            return
        }
        dataRows += 1
        guard record.count == header.count else {
            throw SluiceError(.badResponse, step: origin,
                              "row \(dataRows) has \(record.count) fields, the header has \(header.count); nothing of this download was loaded")
        }
        if let columns {
            for index in 0..<columns.count {
                CSVColumnTyping.append(record.field(index), as: columns[index].type, to: &rows)
            }
            try rowEnded()
        } else {
            sample.append(record.strings)
            if sample.count >= sampleRows { try decideTypes() }
        }
    }

    /// Parts completed so far (none of them the last); empties the list.
    mutating func takeReady() -> [Batch] {
        defer { ready.removeAll() }
        return ready
    }

    /// The last part: the remaining rows plus `checkpoint`. Fails when the body had no header.
    mutating func finish(checkpoint: [String: String]) throws(SluiceError) -> Batch {
        guard header != nil else {
            throw SluiceError(.badResponse, step: origin, "the download is empty: not even a header row")
        }
        if columns == nil { try decideTypes() }
        var batch = makeBatch(isLast: true)
        batch.checkpoint = checkpoint
        return batch
    }

    private mutating func decideTypes() throws(SluiceError) {
        let names = header ?? []
        let types = names.indices.map { index -> ColumnType in
            let name = names[index]
            return target.columnTypes[name] ?? knownTypes[name] ?? CSVColumnTyping.inferType(sample.lazy.map { $0[index] })
        }
        columns = zip(names, types).map { Column($0, $1) }
        rows = PackedRows(columnCount: names.count, reservingRows: batchRows, maxTextBytes: maxBatchTextBytes)
        let buffered = sample
        sample = []
        for strings in buffered {
            for (text, type) in zip(strings, types) {
                var text = text
                text.withUTF8 { CSVColumnTyping.append($0, as: type, to: &rows) }
            }
            try rowEnded()
        }
    }

    private mutating func rowEnded() throws(SluiceError) {
        rows.endRow()
        guard !rows.overflowed else {
            throw SluiceError(.badData, step: origin, "row \(dataRows) does not fit in a batch (more than "
                + "\(ByteCount.text(rows.maxTextBytes)) of text); nothing of this download was loaded")
        }
        if rows.rowCount >= batchRows || rows.textByteCount >= batchTextBytes { ready.append(makeBatch(isLast: false)) }
    }

    private mutating func makeBatch(isLast: Bool) -> Batch {
        batchesMade += 1
        let part = DatasetPart(id: dataset.id, producedAt: dataset.producedAt, name: origin, isLast: isLast)
        let batch = Batch(target: target, columns: columns ?? [], rows: [], origin: "\(origin), part \(batchesMade)",
                          bytes: pendingBytes, dataset: part, packed: rows)
        rows = PackedRows(columnCount: rows.columnCount, reservingRows: batchRows, maxTextBytes: maxBatchTextBytes)
        pendingBytes = 0
        return batch
    }
}
