import SluiceCore

/// Datasets loaded in `replace` mode (the table holds exactly the newest complete dataset) or in `upsert` mode from a
/// source that delivers whole datasets (a WS1 report with a key): staged, then published in one short transaction.
///
/// Each part is COPYed into an unlogged staging table `sluice_stage_<n>` in a transaction of its own (recorded in
/// `sluice_pending`, so a process killed half-way leaves a table the job's next run drops). Readers never see it.
/// The last part publishes in one transaction with the checkpoint: `replace` swaps the table's contents (`DELETE` +
/// `INSERT … SELECT`, which readers see all at once at the commit, without waiting), `upsert` merges the staged rows
/// (`INSERT … SELECT … ON CONFLICT`). The swap keeps the table itself (its columns, grants, and any view an analyst
/// built on it), which dropping and renaming would not.
extension PostgresWarehouse {
    /// Stages one part; on the last part publishes the dataset. Returns the rows made visible.
    func writeStagedPart(_ batch: Batch, part: DatasetPart, job: String, runID: Int64) async throws -> Int {
        let table = batch.target.table
        let keyed = batch.target.mode == .upsert
        let key = Self.partKey(runID: runID, table: table, dataset: "\u{1}staging")
        do {
            return try await pool.withSession { session in
                // The table's schema is created or widened first, in a short transaction of its own.
                var plan: CopyPlan?
                if !batch.columns.isEmpty {
                    if let (cached, _) = try cachedPlan(for: batch, keyed: keyed) {
                        plan = cached
                    } else {
                        let (made, picture) = try await session.transaction {
                            try await ensureSchema(for: batch, keyed: keyed, runID: runID, session: session)
                        }
                        remember(picture)
                        plan = made
                    }
                }
                var staging: String?
                if let plan {
                    try PostgresSession.checkWidth(batch, columns: plan.columns.count)
                    if keyed { try PostgresSession.checkKeys(batch, plan: plan) }
                    let (state, misfits) = try await session.transaction(synchronousCommit: false) { () -> (PartState, [Int: Int]) in
                        var state: PartState
                        if let known = partState(key) {
                            state = known
                        } else {
                            state = try await stagingTable(for: table, job: job, runID: runID, session: session)
                        }
                        if !Set(plan.columns).isSubset(of: state.columns) {
                            try await widen(state.storage, like: table, session: session)
                            state.columns = try await columnNames(of: state.storage, session: session)
                        }
                        let misfits = try await session.copyRows(batch, into: state.storage, columns: plan.columns,
                                                                 types: plan.types)
                        return (state, misfits)
                    }
                    setPartState(state, for: key)
                    staging = state.storage
                    reportMisfits(misfits, plan: batch, table: table)
                }
                guard part.isLast else { return 0 }
                let published = try await session.transaction {
                    let name: String
                    if let staging {
                        name = staging
                    } else if let found = try await existingStaging(table: table, job: job, runID: runID, session: session) {
                        name = found
                    } else {
                        // A dataset without any column: nothing to publish but its checkpoint.
                        try await writeState(job: job, values: batch.checkpoint, session: session)
                        if let mark = batch.coverage { try await writeCoverage(mark, job: job, runID: runID, session: session) }
                        return 0
                    }
                    let written = try await publishStaged(name, table: table, keyed: keyed, runID: runID, session: session)
                    try await writeState(job: job, values: batch.checkpoint, session: session)
                    if let mark = batch.coverage { try await writeCoverage(mark, job: job, runID: runID, session: session) }
                    try await session.execute("DROP TABLE \(qualified(name))")
                    try await session.execute("DELETE FROM sluice_pending WHERE storage = $1", [.text(name)])
                    return written
                }
                setPartState(nil, for: key)
                return published
            }
        } catch {
            forget(table)
            throw error
        }
    }

    /// The staging table of run `runID`'s dataset for `table`, made (and recorded) on the first part.
    private func stagingTable(for table: String, job: String, runID: Int64, session: PostgresSession) async throws -> PartState {
        if let found = try await existingStaging(table: table, job: job, runID: runID, session: session) {
            return PartState(pendingID: 0, storage: found, loadID: 0, columns: try await columnNames(of: found, session: session))
        }
        let id = try await session.rows("SELECT nextval('sluice_load_ids')").first?.int64(0) ?? 0
        let name = PostgresIdentifier.stagingTable(id)
        let picture = try await PostgresTable.read(table, storage: table, schema: schema, session: session)
        let columns = picture.columns.map { "\(PostgresIdentifier.quote($0.name)) \(PostgresTypes.sql($0.type))" }
        try await session.execute("CREATE UNLOGGED TABLE \(qualified(name)) (\(columns.joined(separator: ", ")))")
        try await session.execute("""
            INSERT INTO sluice_pending(table_name, purpose, job, run_id, storage) VALUES ($1, 'staging', $2, $3, $4)
            """, [.text(table), .text(job), .integer(runID), .text(name)])
        return PartState(pendingID: 0, storage: name, loadID: id, columns: Set(picture.columns.map(\.name)))
    }

    private func existingStaging(table: String, job: String, runID: Int64, session: PostgresSession) async throws -> String? {
        try await session.rows("""
            SELECT storage FROM sluice_pending WHERE table_name = $1 AND job = $2 AND run_id = $3 AND purpose = 'staging'
            """, [.text(table), .text(job), .integer(runID)]).first?.text(0)
    }

    /// Adds to `staging` the data columns `table` gained since the staging table was made.
    private func widen(_ staging: String, like table: String, session: PostgresSession) async throws {
        let target = try await PostgresTable.read(table, storage: table, schema: schema, session: session)
        let have = try await PostgresTable.read(staging, storage: staging, schema: schema, session: session).allNames
        let missing = target.columns.filter { !have.contains($0.name) }
        guard !missing.isEmpty else { return }
        let clauses = missing.map { "ADD COLUMN \(PostgresIdentifier.quote($0.name)) \(PostgresTypes.sql($0.type))" }
        try await session.execute("ALTER TABLE \(qualified(staging)) " + clauses.joined(separator: ", "))
    }

    /// Makes the staged rows the table's contents (`replace`) or merges them into it (`upsert`).
    private func publishStaged(_ staging: String, table: String, keyed: Bool, runID: Int64,
                               session: PostgresSession) async throws -> Int {
        try await widen(staging, like: table, session: session)
        let picture = try await PostgresTable.read(table, storage: table, schema: schema, session: session)
        let columns = picture.columns.map(\.name)
        if keyed {
            return try await session.execute(
                Self.mergeSQL(into: qualified(table), from: qualified(staging), columns: columns,
                              primaryKey: picture.primaryKey),
                [.integer(runID), .text(timestamp)], kind: "INSERT")
        }
        let names = (columns + [PostgresTable.runIDColumn, PostgresTable.loadedAtColumn]).map(PostgresIdentifier.quote)
        let selected = columns.map(PostgresIdentifier.quote) + ["$1::bigint", "$2::timestamptz"]
        try await session.execute("DELETE FROM \(qualified(table))")
        return try await session.execute("""
            INSERT INTO \(qualified(table)) (\(names.joined(separator: ", ")))
            SELECT \(selected.joined(separator: ", ")) FROM \(qualified(staging))
            """, [.integer(runID), .text(timestamp)])
    }
}
