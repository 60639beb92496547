import Foundation

extension WarehouseReader {
    /// Every row of `table` with its data columns only (no `_sluice_*` metadata), ordered by `orderBy`:
    /// what "the same content" means when comparing a faulted warehouse with a clean one.
    func content(of table: String, orderBy: String) -> [[String?]] {
        let columns = rows("SELECT name FROM pragma_table_info(?) ORDER BY cid", [table])
            .compactMap { $0.first ?? nil }
            .filter { !$0.hasPrefix("_sluice") }
            .map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        guard !columns.isEmpty else { return [] }
        return rows("SELECT \(columns.joined(separator: ", ")) FROM \"\(table)\" ORDER BY \(orderBy)")
    }
}
