import SluiceCore
import Logging

/// `sluice_pending`: tables no reader sees that are still to be published or dropped. Each record is written in
/// the same transaction as its table, so after a crash it says exactly what to remove.
///
/// - `loading`: a snapshot load not attached yet; `staging`: a staged `replace`/`upsert` dataset. Dropped when the
///   run fails and, after a crash, before the job's next run (which holds the job's lock, so no instance is still
///   writing them).
/// - `purge`: the partition of a pruned or replaced snapshot, already out of `sluice_snapshots` (so out of the
///   views). Dropped after the publish, by whichever instance gets to it first; a drop that would wait more than
///   2 s for a reader of the table is left for the next run.
extension PostgresWarehouse {
    /// Drops the unpublished loads and staging tables of `job` (or of any job) from run `runID` (or from every
    /// run), with their records. Never throws: what cannot be removed now is removed before the job's next run.
    func discardLeftovers(job: String?, runID: Int64?) async {
        guard let records = try? await work(step: "discard leftovers", { session in
            try await session.rows("""
                SELECT pending_id FROM sluice_pending WHERE purpose IN ('loading', 'staging')
                AND ($1::text IS NULL OR job = $1) AND ($2::bigint IS NULL OR run_id = $2)
                """, [job.map(Value.text) ?? .null, runID.map(Value.integer) ?? .null]).map { try $0.int64(0) ?? 0 }
        }) else { return }
        for id in records { await drop(pending: id) }
    }

    /// Drops the partitions of pruned and replaced snapshots. Never throws.
    func purgePending() async {
        guard let records = try? await work(step: "purge snapshots", { session in
            try await session.rows("SELECT pending_id FROM sluice_pending WHERE purpose = 'purge'")
                .map { try $0.int64(0) ?? 0 }
        }) else { return }
        for id in records { await drop(pending: id) }
    }

    /// Drops the table of pending record `id` and deletes the record, in one transaction; skips a record another
    /// instance is handling right now, and gives up (for now) when a reader holds the table for more than 2 s.
    private func drop(pending id: Int64) async {
        do {
            try await work(step: "drop pending table") { session in
                try await session.transaction {
                    guard let storage = try await session.rows("""
                        SELECT storage FROM sluice_pending WHERE pending_id = $1 FOR UPDATE SKIP LOCKED
                        """, [.integer(id)]).first?.text(0) else { return }
                    // Only ever Sluice's own tables, whatever the record says.
                    guard Self.isPendingTableName(storage) else {
                        try await session.execute("DELETE FROM sluice_pending WHERE pending_id = $1", [.integer(id)])
                        return
                    }
                    try await session.execute("SET LOCAL lock_timeout = '2s'")
                    try await session.execute("DROP TABLE IF EXISTS \(qualified(storage))")
                    try await session.execute("DELETE FROM sluice_pending WHERE pending_id = $1", [.integer(id)])
                }
            }
        } catch {
            logger.debug("left a pending table for later: \(error)")
        }
    }

    /// `sluice_load_<n>` or `sluice_stage_<n>`.
    static func isPendingTableName(_ name: String) -> Bool {
        for prefix in ["sluice_load_", "sluice_stage_"] where name.hasPrefix(prefix) {
            let digits = name.dropFirst(prefix.count)
            return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
        }
        return false
    }
}
