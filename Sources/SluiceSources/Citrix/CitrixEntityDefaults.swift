package import SluiceCore

/// Key, cursor and table of one Citrix Monitor entity set, after job-file overrides and built-in defaults.
package struct CitrixEntityPlan: Sendable, Hashable {
    /// The OData entity set (`Sessions`).
    package var name: String
    /// Upsert key; empty means "take it from `$metadata`".
    package var key: [String]
    /// The DateTimeOffset property read incrementally; nil means the set is re-read whole on every run.
    package var cursor: String?
    package var table: String

    package init(name: String, key: [String], cursor: String?, table: String) {
        self.name = name
        self.key = key
        self.cursor = cursor
        self.table = table
    }
}

/// Built-in key and cursor for the Monitor entity sets Citrix documents.
///
/// Keys marked UNCONFIRMED there are left empty so the `$metadata` `<Key>` decides; a job file can override
/// everything. Entity sets without a cursor (current-state sets such as `Machines`, catalogues such as
/// `DesktopGroups`) are re-read whole and upserted: they are small and have no reliable change date.
package enum CitrixEntityDefaults {
    /// One row of the defaults table.
    package struct Entry: Sendable, Hashable {
        package var key: [String]
        package var cursor: String?
    }

    /// The defaults table, by entity-set name.
    package static let table: [String: Entry] = {
        var t: [String: Entry] = [
            "Sessions": Entry(key: ["SessionKey"], cursor: "ModifiedDate"),
            "Machines": Entry(key: ["Id"], cursor: nil),
            "Users": Entry(key: ["Id"], cursor: "ModifiedDate"),
            "Connections": Entry(key: ["Id"], cursor: "ModifiedDate"),
            "SessionMetrics": Entry(key: ["Id"], cursor: "CollectedDate"),
            "MachineMetric": Entry(key: ["Id"], cursor: "CollectedDate"),
            "ResourceUtilizationSummary": Entry(key: ["MachineId", "Granularity", "SummaryDate", "DesktopGroupId"],
                                                cursor: "SummaryDate"),
        ]
        for name in ["ApplicationInstances", "ConnectionFailureLogs", "MachineFailureLogs", "ResourceUtilization"] {
            t[name] = Entry(key: [], cursor: "ModifiedDate")
        }
        for name in ["SessionAutoReconnects", "SessionMetricsLatest"] { t[name] = Entry(key: [], cursor: "CreatedDate") }
        t["LogOnMetrics"] = Entry(key: [], cursor: "UserInitStartDate")
        for name in ["LogOnSummaries", "ApplicationActivitySummaries", "DesktopOSDesktopSummaries",
                     "ServerOSDesktopSummaries", "SessionActivitySummaries", "FailureLogSummaries",
                     "MachineCostSavingsSummaries"] {
            t[name] = Entry(key: [], cursor: "SummaryDate")
        }
        for name in ["Applications", "Catalogs", "DesktopGroups", "Hypervisors", "MachineCosts",
                     "ConnectionFailureCategories"] {
            t[name] = Entry(key: [], cursor: nil)
        }
        return t
    }()

    /// Resolves every entity of a job: the entity's own overrides, then (for a single-entity job) the job's
    /// `target.table` / `target.primary_key`, then the defaults table; the table defaults to `citrix_<snake>`.
    package static func plans(for settings: CitrixSettings, target: TargetSettings, job: String) throws(SluiceError)
        -> [CitrixEntityPlan] {
        let single = settings.entities.count == 1
        if !single, target.table != nil || !target.primaryKey.isEmpty {
            throw SluiceError(.config, job: job, step: "target",
                              "target.table and target.primary_key apply to a single entity set; with several, "
                                  + "give table:/key: on each entry of source.entities")
        }
        if let mode = target.mode, mode != .upsert {
            throw SluiceError(.config, job: job, step: "target",
                              "citrix-monitor loads in upsert mode only (got '\(mode.rawValue)')")
        }
        return settings.entities.map { entity in
            let entry = table[entity.name]
            let key = entity.key ?? (single && !target.primaryKey.isEmpty ? target.primaryKey : entry?.key ?? [])
            let cursor = entity.cursor ?? entry?.cursor
            let tableName = entity.table ?? (single ? target.table : nil) ?? "citrix_" + snakeCase(entity.name)
            return CitrixEntityPlan(name: entity.name, key: key, cursor: cursor, table: tableName)
        }
    }

    /// `SessionMetrics` → `session_metrics`, `DesktopOSDesktopSummaries` → `desktop_os_desktop_summaries`.
    package static func snakeCase(_ name: String) -> String {
        let chars = Array(name)
        var out = ""
        for (i, c) in chars.enumerated() {
            if c.isUppercase, i > 0 {
                let prev = chars[i - 1]
                let nextIsLower = i + 1 < chars.count && chars[i + 1].isLowercase
                if prev.isLowercase || prev.isNumber || (prev.isUppercase && nextIsLower) { out += "_" }
            }
            out += c.lowercased()
        }
        return out
    }
}
