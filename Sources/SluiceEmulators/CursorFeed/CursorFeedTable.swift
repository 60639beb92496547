/// The cursor feed's rows, held compactly so a million-row feed costs a few bytes per row.
///
/// Untouched rows are not stored: their content is a function of their id, and their `updated_at_utc`
/// ("natural" time) grows strictly with the id, so they are already in feed order. Only appended rows'
/// times and touched rows' edits are stored. A page is a merge of the natural sequence (minus touched
/// ids) with the sorted list of touched rows, starting after the cursor's key.
struct CursorFeedTable: Sendable {
    /// Feed order: `updated_at_utc`, then id.
    struct Key: Comparable, Sendable {
        var millis: Int64
        var id: Int

        static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.millis, lhs.id) < (rhs.millis, rhs.id)
        }
    }

    /// What a touch changed.
    struct Edit: Sendable {
        var millis: Int64
        var name: String
        var amountHundredths: Int
    }

    let firstMillis: Int64
    let intervalMillis: Int64
    let initialCount: Int
    private(set) var appendedMillis: [Int64] = []
    private(set) var edits: [Int: Edit] = [:]
    /// Keys of touched rows, kept sorted.
    private var editedKeys: [Key] = []

    init(rowCount: Int, firstMillis: Int64, intervalMillis: Int64) {
        self.initialCount = max(0, rowCount)
        self.firstMillis = firstMillis
        self.intervalMillis = max(1, intervalMillis)
    }

    var count: Int { initialCount + appendedMillis.count }

    func contains(_ id: Int) -> Bool { id >= 1 && id <= count }

    /// The row's current sort key, or nil when no row has that id.
    func key(of id: Int) -> Key? {
        guard contains(id) else { return nil }
        return Key(millis: edits[id]?.millis ?? naturalMillis(id), id: id)
    }

    /// Changes rows' content and moves them to `millis`; unknown ids are ignored.
    mutating func touch(ids: [Int], millis: Int64, change: (_ id: Int, _ current: Edit) -> Edit) {
        for id in Set(ids) where contains(id) {
            let current = edits[id] ?? Edit(
                millis: naturalMillis(id),
                name: CursorFeedRow.defaultName(id: id),
                amountHundredths: CursorFeedRow.defaultAmountHundredths(id: id)
            )
            var edit = change(id, current)
            edit.millis = millis
            edits[id] = edit
        }
        editedKeys = edits.map { Key(millis: $0.value.millis, id: $0.key) }.sorted()
    }

    /// Adds `count` rows, each one interval later than the latest row in the feed; returns their ids.
    mutating func append(count newRows: Int) -> [Int] {
        guard newRows > 0 else { return [] }
        let latest = Swift.max(count > 0 ? naturalMillis(count) : firstMillis - intervalMillis, editedKeys.last?.millis ?? .min)
        let firstNew = count + 1
        for index in 0..<newRows {
            appendedMillis.append(latest + intervalMillis * Int64(index + 1))
        }
        return Array(firstNew..<(firstNew + newRows))
    }

    /// Up to `limit` keys after `bound`, in feed order.
    func keys(after bound: Key, limit: Int) -> [Key] {
        var result: [Key] = []
        result.reserveCapacity(Swift.min(limit, 1024))
        var id = firstNaturalID(after: bound)
        var editIndex = firstEditIndex(after: bound)
        while result.count < limit {
            while id <= count, edits[id] != nil { id += 1 }
            let natural = id <= count ? Key(millis: naturalMillis(id), id: id) : nil
            let edited = editIndex < editedKeys.count ? editedKeys[editIndex] : nil
            if let edited, natural.map({ edited < $0 }) ?? true {
                result.append(edited)
                editIndex += 1
            } else if let natural {
                result.append(natural)
                id += 1
            } else {
                return result
            }
        }
        return result
    }

    private func naturalMillis(_ id: Int) -> Int64 {
        id <= initialCount ? firstMillis + Int64(id - 1) * intervalMillis : appendedMillis[id - initialCount - 1]
    }

    /// Natural keys grow strictly with the id, so the first one after `bound` is found by bisection.
    private func firstNaturalID(after bound: Key) -> Int {
        var low = 1
        var high = count + 1
        while low < high {
            let mid = low + (high - low) / 2
            if Key(millis: naturalMillis(mid), id: mid) > bound { high = mid } else { low = mid + 1 }
        }
        return low
    }

    private func firstEditIndex(after bound: Key) -> Int {
        var low = 0
        var high = editedKeys.count
        while low < high {
            let mid = low + (high - low) / 2
            if editedKeys[mid] > bound { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
