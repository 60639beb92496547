package import SluiceCore

/// Makes the source for a job's `source:` block.
package enum SourceFactory {
    /// The source for `job`.
    package static func make(for job: JobDefinition, context: SourceContext) -> any Source {
        switch job.source {
        case .cursorFeed(let settings):
            return CursorFeedSource(settings: settings, context: context)
        case .citrixMonitor(let settings):
            return CitrixMonitorSource(settings: settings, context: context)
        case .powerBIActivity(let settings):
            return PowerBIActivitySource(settings: settings, context: context)
        case .ws1Intelligence(let settings):
            return WS1IntelligenceSource(settings: settings, context: context)
        }
    }
}
