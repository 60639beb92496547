/// What completeness means for one job: its tables, how long its API keeps data, and when it is stale.
package struct CompletenessPolicy: Sendable, Hashable {
    package var job: String
    /// The target tables the job writes (each gets a freshness row even before its first window).
    package var tables: [String]
    /// How long the API keeps an instant, by table, in milliseconds; a table not listed keeps history.
    package var recoverableFor: [String: Int64]
    /// Seconds without a success after which the job is stale.
    package var staleAfterSeconds: Double

    package init(job: String, tables: [String], recoverableFor: [String: Int64], staleAfterSeconds: Double) {
        self.job = job
        self.tables = tables
        self.recoverableFor = recoverableFor
        self.staleAfterSeconds = staleAfterSeconds
    }
}

/// A job's completeness at one moment, computed from its ledger.
package struct CompletenessReport: Sendable {
    package var job: String
    /// Oldest first, by table.
    package var gaps: [CoverageGap]
    /// One per table.
    package var freshness: [FreshnessRow]
    /// Complete windows flagged for their volume.
    package var suspicious: [CoverageRow]

    package init(job: String, gaps: [CoverageGap], freshness: [FreshnessRow], suspicious: [CoverageRow]) {
        self.job = job
        self.gaps = gaps
        self.freshness = freshness
        self.suspicious = suspicious
    }

    /// The gaps a run can still re-pull, oldest first.
    package func repairable(now: Int64) -> [CoverageGap] {
        gaps.filter { $0.isRecoverable(now: now) }.sorted { ($0.start, $0.table) < ($1.start, $1.table) }
    }

    /// Gaps still recoverable whose deadline falls within `window` milliseconds of `now`, soonest first.
    package func nearingDeadline(now: Int64, within window: Int64) -> [CoverageGap] {
        repairable(now: now).filter { gap in gap.recoverableUntil.map { $0 - now <= window } ?? false }
            .sorted { ($0.recoverableUntil ?? 0) < ($1.recoverableUntil ?? 0) }
    }

    /// The soonest deadline of a recoverable gap.
    package func nearestDeadline(now: Int64) -> Int64? {
        repairable(now: now).compactMap(\.recoverableUntil).min()
    }

    /// Total seconds of the gaps that are not lost.
    package var openGapSeconds: Double { gaps.filter { $0.reason != .lost }.reduce(0) { $0 + $1.seconds } }
}

package enum Completeness {
    /// The report of `policy`'s job from its ledger rows.
    ///
    /// - Parameters:
    ///   - lastSuccessAt, firstRunStart: seconds since the epoch, from the run history.
    ///   - inProgress: runs of the job still reading (their `partial` windows are not gaps yet).
    package static func evaluate(_ policy: CompletenessPolicy, rows: [CoverageRow], lastSuccessAt: Double?,
                                firstRunStart: Double?, inProgress: Set<Int64> = [], now: Double) -> CompletenessReport {
        let nowMillis = EpochMillis.from(seconds: now)
        let byTable = Dictionary(grouping: rows, by: \.table)
        let tables = (policy.tables + byTable.keys.filter { !policy.tables.contains($0) }.sorted())
        let stale = Staleness.isStale(lastSuccess: lastSuccessAt, firstRunStart: firstRunStart,
                                      bound: policy.staleAfterSeconds, now: now)
        var gaps: [CoverageGap] = []
        var freshness: [FreshnessRow] = []
        for table in tables {
            let tableRows = byTable[table] ?? []
            let tableGaps = CoverageGaps.find(tableRows, recoverableFor: policy.recoverableFor[table], now: nowMillis,
                                              inProgress: inProgress)
            gaps += tableGaps
            freshness.append(Freshness.row(job: policy.job, table: table, rows: tableRows, gaps: tableGaps,
                                           lastSuccessAt: lastSuccessAt.map(EpochMillis.from(seconds:)), stale: stale,
                                           now: nowMillis, inProgress: inProgress))
        }
        let suspicious = rows.filter(\.suspicious).sorted { ($0.table, $0.start) < ($1.table, $1.start) }
        return CompletenessReport(job: policy.job, gaps: gaps, freshness: freshness, suspicious: suspicious)
    }
}
