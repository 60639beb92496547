import SluiceCore

extension JobDefinition {
    /// The warehouse tables the job writes, as the sources name them (Citrix: one per entity set; none when
    /// the entity list is one the source would refuse).
    package var tables: [String] {
        switch source {
        case .cursorFeed, .ws1Intelligence:
            return [target.table ?? defaultTable]
        case .powerBIActivity:
            return [target.table ?? PowerBIActivitySource.defaultTable]
        case .citrixMonitor(let settings):
            return ((try? CitrixEntityDefaults.plans(for: settings, target: target, job: name)) ?? []).map(\.table)
        }
    }
}
