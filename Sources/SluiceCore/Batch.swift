/// How a table is loaded.
package enum LoadMode: String, Sendable, Hashable, CaseIterable {
    /// `INSERT … ON CONFLICT(primary key) DO UPDATE`; each page is its own transaction with the checkpoint.
    case upsert
    /// The table holds exactly the newest complete dataset, swapped in atomically.
    case replace
    /// Every dataset is appended with a snapshot id; a `<table>_latest` view shows the newest complete one.
    case snapshot
}

/// Where a batch's rows go: table name, load mode and the key for upserts.
package struct TableTarget: Sendable, Hashable {
    /// The warehouse table name (`[a-z_][a-z0-9_]*`).
    package var table: String
    package var mode: LoadMode
    /// Primary key as source names or warehouse column names; required for `upsert`.
    package var primaryKey: [String]
    /// Declared types that override inference, keyed by source name or column name (`target.columns:`).
    package var columnTypes: [String: ColumnType]
    /// For `snapshot` mode: how many snapshots to keep (nil keeps all).
    package var keepSnapshots: Int?
    /// Which key and which fields the rows are pseudonymised with (``PseudonymFingerprint/clear`` for none);
    /// the warehouse refuses to mix two of them in one table. nil: not checked (tools and tests).
    package var pseudonyms: PseudonymFingerprint?

    package init(table: String, mode: LoadMode, primaryKey: [String] = [], columnTypes: [String: ColumnType] = [:],
                keepSnapshots: Int? = nil, pseudonyms: PseudonymFingerprint? = nil) {
        self.table = table
        self.mode = mode
        self.primaryKey = primaryKey
        self.columnTypes = columnTypes
        self.keepSnapshots = keepSnapshots
        self.pseudonyms = pseudonyms
    }
}

/// A column as the source names and types it.
package struct Column: Sendable, Hashable {
    /// The name exactly as the source spells it (CSV header, JSON key, OData property).
    package var sourceName: String
    /// The type the source knows or inferred from the first value seen.
    package var type: ColumnType

    package init(_ sourceName: String, _ type: ColumnType) {
        self.sourceName = sourceName
        self.type = type
    }
}

/// One part of a dataset that becomes visible as a whole (a WS1 download): the warehouse writes each part in a
/// short transaction of its own, invisible to readers, and the last part publishes the whole dataset together
/// with the batch's checkpoint. No transaction is ever held open while the next part is being downloaded.
package struct DatasetPart: Sendable, Hashable {
    /// Stable id of the dataset at the source (the WS1 download id); a dataset loaded again under the same
    /// id replaces the earlier load.
    package var id: String
    /// When the source produced it, as normalised UTC timestamp text (snapshot mode records it).
    package var producedAt: String
    /// How logs and progress name it: "download 416c…".
    package var name: String
    /// True for the part that publishes the dataset.
    package var isLast: Bool

    package init(id: String, producedAt: String, name: String, isLast: Bool) {
        self.id = id
        self.producedAt = producedAt
        self.name = name
        self.isLast = isLast
    }
}

/// Rows of one page plus the checkpoint that becomes true once they are committed.
///
/// The data flow of Sluice is: source → `Batch` → warehouse commits rows and `checkpoint` in one
/// transaction. A checkpoint therefore never runs ahead of committed data. A batch that is a part of a
/// dataset (``dataset``) carries its checkpoint on the last part only, which publishes the dataset.
package struct Batch: Sendable {
    package var target: TableTarget
    package var columns: [Column]
    /// Each row has exactly `columns.count` values, in column order (empty when `packed` holds the rows).
    package var rows: [[Value]]
    /// The rows in packed form, from sources that read bytes (see ``PackedRows``); nil for `rows`.
    package var packed: PackedRows?
    /// State keys (for `sluice_state`) written in the same transaction as the rows.
    package var checkpoint: [String: String]
    /// Where this batch came from, for progress and errors: "page 7 of Sessions".
    package var origin: String
    /// Bytes of response body this batch was parsed from.
    package var bytes: Int
    /// Set when the batch is one part of a dataset that becomes visible as a whole; nil for a page that is
    /// committed (and visible) at once.
    package var dataset: DatasetPart?
    /// The window this batch belongs to, for the coverage ledger (written in the same transaction; for a
    /// dataset part, only the last part's counts, written when it publishes).
    package var coverage: CoverageMark?

    package init(target: TableTarget, columns: [Column], rows: [[Value]], checkpoint: [String: String] = [:],
                origin: String, bytes: Int = 0, dataset: DatasetPart? = nil, packed: PackedRows? = nil,
                coverage: CoverageMark? = nil) {
        self.target = target
        self.columns = columns
        self.rows = rows
        self.packed = packed
        self.checkpoint = checkpoint
        self.origin = origin
        self.bytes = bytes
        self.dataset = dataset
        self.coverage = coverage
    }

    /// Rows in the batch, in whichever form it holds them.
    package var rowCount: Int { packed?.rowCount ?? rows.count }
}

extension Column {
    /// The most columns one table may have. SQLite allows 2,000 by default and refuses more only after every
    /// name was worked out; a hostile header of 30,000 names is refused here first, before any naming work.
    package static let maxColumns = 1000

    /// Source names made unique within one batch: a repeated header `Name` becomes `Name (2)`, `Name (3)`, the
    /// same way on every run, so each occurrence keeps its own column (the warehouse and the CSV loader agree).
    ///
    /// Linear in the number of names: each base name remembers the next suffix to try.
    package static func uniqueSourceNames(_ names: [String]) -> [String] {
        var seen = Set<String>(minimumCapacity: names.count)
        var nextSuffix: [String: Int] = [:]
        return names.map { name in
            if seen.insert(name).inserted { return name }
            var n = nextSuffix[name, default: 2]
            var candidate = "\(name) (\(n))"
            while !seen.insert(candidate).inserted {
                n += 1
                candidate = "\(name) (\(n))"
            }
            nextSuffix[name] = n + 1
            return candidate
        }
    }
}
