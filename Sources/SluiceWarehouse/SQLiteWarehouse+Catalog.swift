package import SluiceCore

extension SQLiteWarehouse {
    /// Declared types of the columns the warehouse already has, by table and source name, so a source can
    /// keep writing a column whose values are all null in a page.
    package func knownColumns() throws -> [String: [String: ColumnType]] {
        try run(step: "read column catalog") { try $0.knownColumns() }
    }

    /// Every data table with its row count, sorted by table name (for `sluice demo`'s summary).
    package func dataTableRowCounts() throws -> [(table: String, rows: Int)] {
        try run(step: "count rows") { try $0.dataTableRowCounts() }
    }

    /// What `table`'s pseudonyms were made with (nil: no record) and whether it holds rows, for `sluice validate`.
    package func pseudonymState(table: String) throws -> (stored: PseudonymFingerprint?, holdsData: Bool) {
        try run(step: "read pseudonym fingerprint of \(table)") { try $0.pseudonymState(table: table) }
    }
}
