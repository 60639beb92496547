import SluiceCore

/// Renders a ``StatusPageModel`` as one self-contained HTML document: inline CSS (allowed by a per-response
/// nonce), inline SVG, no script, reloading itself every 30 seconds. Every piece of outside text goes through
/// ``HTMLText/escape(_:)`` after the redactor.
package enum StatusPageHTML {
    package static func render(_ model: StatusPageModel, product: String, nonce: String) -> String {
        let failing = model.panels.filter { $0.mark == .failed }.count
        let withGaps = model.panels.filter { ($0.status.completeness?.gaps ?? []).contains { $0.reason != .lost } }.count
        var summary = "\(model.panels.count) job\(model.panels.count == 1 ? "" : "s") · \(failing) failing"
        if withGaps > 0 { summary += " · \(withGaps) with gaps" }
        let broken = Set(model.brokenFiles.map(\.file)).count
        if broken > 0 { summary += " · \(broken) broken job file\(broken == 1 ? "" : "s")" }
        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="refresh" content="30">
            <title>Sluice: \(escape(summary))</title>
            <style nonce="\(escape(nonce))">\(StatusPageStyle.css)</style>
            </head><body>
            <header><h1>Sluice</h1><p class="summary">\(escape(summary)) · updated \(escape(instant(model.now)))</p></header>
            <main>

            """
        html += jobSections(model)
        html += brokenFiles(model.brokenFiles)
        html += heatMap(model)
        html += timeline(model)
        html += """
            </main>
            <footer>\(escape(product)) · <a href="/metrics">/metrics</a> · <a href="/api/status">/api/status</a> · \
            this page reloads every 30 s</footer>
            </body></html>

            """
        return html
    }

    /// The job files that did not load, each with its file, line and cause (redacted, escaped).
    static func brokenFiles(_ errors: [JobFileError]) -> String {
        guard !errors.isEmpty else { return "" }
        var out = "<section class=\"broken\" aria-label=\"job files with problems\"><h2>✘ job files with problems</h2>\n<ul>\n"
        for error in errors {
            out += "<li class=\"error\">\(escape(Redactor.shared.redact(error.description)))</li>\n"
        }
        return out + "</ul><p>Their jobs keep the definition they had, or do not run; <code>sluice validate</code> "
            + "checks them, SIGHUP reloads.</p></section>\n"
    }

    // MARK: Job cards

    /// One section of cards, or one per tenant (jobs without a tenant first) when any job has a `tenant:`.
    static func jobSections(_ model: StatusPageModel) -> String {
        let groups = JobStatus.groupedByTenant(model.panels.map(\.status))
        guard groups.contains(where: { $0.tenant != nil }) else {
            return "<section class=\"jobs\" aria-label=\"jobs\">\n"
                + model.panels.map { card($0, now: model.now) }.joined() + "</section>\n"
        }
        var out = ""
        for group in groups {
            let names = Set(group.statuses.map(\.job))
            let panels = model.panels.filter { names.contains($0.status.job) }
            let label = group.tenant.map { "tenant \($0)" } ?? "no tenant"
            let failing = panels.filter { $0.mark == .failed }.count
            out += "<h2 class=\"tenant\">\(escape(label)) · \(panels.count) job\(panels.count == 1 ? "" : "s") · "
                + "\(failing) failing</h2>\n"
            out += "<section class=\"jobs\" aria-label=\"\(escape(label))\">\n"
                + panels.map { card($0, now: model.now) }.joined() + "</section>\n"
        }
        return out
    }

    static func card(_ panel: StatusPageModel.Panel, now: Double) -> String {
        let s = panel.status
        var out = "<article class=\"job m-\(panel.mark.rawValue)\" id=\"job-\(escape(s.job))\">\n"
        out += "<h2><span class=\"mark\">\(markText(panel.mark))</span>\(escape(s.job)) "
            + "<span class=\"source\">\(escape(s.source))</span></h2>\n<dl>\n"
        if let progress = panel.progress {
            out += row("running", "page \(progress.pages), \(progress.rows) row\(progress.rows == 1 ? "" : "s") so far, "
                           + "\(DurationText.format(progress.seconds.rounded()))")
        }
        if let run = s.lastRun {
            var text = "#\(run.runID) \(run.status.rawValue)"
            if let finished = run.finishedAt.flatMap(Timestamps.epochSeconds) {
                text += ", \(age(now - finished)) ago"
            } else if let started = Timestamps.epochSeconds(run.startedAt) {
                text += ", started \(age(now - started)) ago"
            }
            if let duration = run.durationSeconds { text += ", took \(DurationText.format(max(1, duration.rounded())))" }
            text += ", \(run.rowsWritten) row\(run.rowsWritten == 1 ? "" : "s"), \(run.requests) request\(run.requests == 1 ? "" : "s")"
            out += row("last run", text)
        } else {
            out += row("last run", "never")
        }
        out += row("next run", s.nextRun.map { $0 + "Z" } ?? "-")
        out += row("schedule", s.schedule)
        if s.consecutiveFailures > 0 {
            out += row("failures", "\(s.consecutiveFailures) in a row (last success: \(s.lastSuccessAt.map { $0 + "Z" } ?? "never"))")
        }
        if let report = s.completeness {
            for fresh in report.freshness {
                var text = fresh.completeThrough.map { "complete through \(CompletenessMonitor.instant($0))" } ?? "nothing proven complete yet"
                let open = report.gaps.filter { $0.table == fresh.table && $0.reason != .lost }
                if !open.isEmpty { text += "; \(open.count) gap\(open.count == 1 ? "" : "s")" }
                if fresh.lostSeconds > 0 { text += "; \(DurationText.format(Double(fresh.lostSeconds))) lost" }
                out += row(fresh.table, text)
            }
        }
        out += "</dl>\n"
        if let run = s.lastRun, run.status == .failed || run.status == .abandoned, let error = run.error {
            let kind = run.errorKind.map { "<strong>\(escape($0.rawValue))</strong>: " } ?? ""
            out += "<p class=\"error\">\(kind)\(escape(Redactor.shared.redact(error)))</p>\n"
        }
        for callout in panel.callouts {
            out += "<p class=\"callout\">⚠ \(escape(callout))</p>\n"
        }
        for window in s.completeness?.suspicious.suffix(3) ?? [] {
            out += "<p class=\"callout\">◆ suspicious: \(escape(CompletenessMonitor.describe(window))) served "
                + "\(window.rows) row\(window.rows == 1 ? "" : "s")</p>\n"
        }
        out += sparkline(panel.rowsPerRun)
        out += "</article>\n"
        return out
    }

    static func markText(_ mark: StatusPageModel.Mark) -> String {
        switch mark {
        case .running: return "▶ RUNNING"
        case .failed: return "✘ FAILED"
        case .stale: return "⚠ STALE"
        case .succeeded: return "✔ OK"
        case .unchanged: return "= UNCHANGED"
        case .cancelled: return "■ CANCELLED"
        case .never: return "○ NEVER RUN"
        }
    }

    static func sparkline(_ rows: [Int]) -> String {
        guard !rows.isEmpty else { return "" }
        let top = max(1, rows.max() ?? 1)
        let width = 300.0
        let step = width / Double(StatusPageModel.runCount)
        var bars = ""
        for (index, count) in rows.enumerated() {
            let height = count == 0 ? 2 : max(2, 38 * Double(count) / Double(top))
            let x = Double(StatusPageModel.runCount - rows.count + index) * step
            bars += "<rect\(count == 0 ? " class=\"zero\"" : "") x=\"\(fmt(x + 1))\" y=\"\(fmt(40 - height))\" "
                + "width=\"\(fmt(max(1, step - 2)))\" height=\"\(fmt(height))\"><title>\(count) rows</title></rect>"
        }
        return "<figure class=\"spark\"><svg viewBox=\"0 0 \(Int(width)) 40\" preserveAspectRatio=\"none\" role=\"img\" "
            + "aria-label=\"rows written per run\">\(bars)</svg><figcaption>rows written per run, last "
            + "\(rows.count) run\(rows.count == 1 ? "" : "s") (most \(top))</figcaption></figure>\n"
    }

    // MARK: Coverage heat map

    static func heatMap(_ model: StatusPageModel) -> String {
        var out = "<section class=\"coverage\"><h2>Coverage, last \(StatusPageModel.dayCount) UTC days</h2>\n"
        out += "<div class=\"scroll\"><table class=\"heat\"><thead><tr><th></th>"
        for day in model.days { out += "<th scope=\"col\">\(escape(String(EpochMillis.text(day).prefix(10).dropFirst(5))))</th>" }
        out += "</tr></thead><tbody>\n"
        for panel in model.panels {
            out += "<tr><th scope=\"row\">\(escape(panel.status.job))</th>"
            for (day, cell) in zip(model.days, panel.cells) {
                let date = String(EpochMillis.text(day).prefix(10))
                out += "<td class=\"c-\(cell.rawValue)\" title=\"\(escape(panel.status.job)) \(date): \(cell.rawValue)\">"
                    + "\(cellLetter(cell))</td>"
            }
            out += "</tr>\n"
        }
        out += "</tbody></table></div>\n<ul class=\"legend\">"
        for cell in StatusPageModel.Cell.allCases {
            out += "<li><span class=\"c-\(cell.rawValue)\">\(cellLetter(cell))</span>\(cellMeaning(cell))</li>"
        }
        out += "</ul></section>\n"
        return out
    }

    static func cellLetter(_ cell: StatusPageModel.Cell) -> String {
        switch cell {
        case .complete: return "C"
        case .partial: return "P"
        case .missing: return "M"
        case .lost: return "L"
        case .suspicious: return "S"
        case .none: return "·"
        }
    }

    static func cellMeaning(_ cell: StatusPageModel.Cell) -> String {
        switch cell {
        case .complete: return "complete"
        case .partial: return "partial (a read broke off)"
        case .missing: return "missing (never read)"
        case .lost: return "lost (the API no longer has it)"
        case .suspicious: return "suspiciously few rows"
        case .none: return "not covered by the job"
        }
    }

    // MARK: Timeline

    static func timeline(_ model: StatusPageModel) -> String {
        let span = StatusPageModel.timelineSeconds
        let start = model.now - span
        var out = "<section class=\"timeline\"><h2>Runs, last 24 hours</h2>\n"
        for panel in model.panels {
            var bars = ""
            for bar in panel.timeline {
                // At least 4 of 1440 units wide (a 1 s run is still seen), kept inside the lane at "now".
                let width = max(4, (bar.end - bar.start) / span * 1440)
                let x = min((bar.start - start) / span * 1440, 1440 - width)
                let (y, height) = barShape(bar.status)
                let label = "#\(bar.runID) \(bar.status.rawValue), \(bar.rows) rows, \(instant(bar.start))"
                bars += "<rect class=\"r-\(bar.status.rawValue)\" x=\"\(fmt(x))\" y=\"\(y)\" width=\"\(fmt(width))\" "
                    + "height=\"\(height)\"><title>\(escape(label))</title></rect>"
            }
            out += "<div class=\"lane\"><b title=\"\(escape(panel.status.job))\">\(escape(panel.status.job))</b>"
                + "<svg viewBox=\"0 0 1440 18\" preserveAspectRatio=\"none\" role=\"img\" "
                + "aria-label=\"runs of \(escape(panel.status.job)) in the last 24 hours\">\(bars)</svg></div>\n"
        }
        out += "<div class=\"axis\"><span></span><div><span>\(escape(shortTime(start)))</span>"
            + "<span>\(escape(shortTime(start + span / 2)))</span><span>now</span></div></div>\n"
        out += "<ul class=\"legend\"><li>green, middle: succeeded or unchanged</li><li>red, full height: failed</li>"
            + "<li>blue: running</li><li>grey, thin: cancelled</li></ul></section>\n"
        return out
    }

    /// A bar's vertical place and height in its 18-unit lane: the outcome reads by shape as well as by colour.
    static func barShape(_ status: RunStatus) -> (y: Int, height: Int) {
        switch status {
        case .failed, .abandoned: (0, 18)
        case .running: (2, 14)
        case .succeeded, .unchanged: (4, 10)
        default: (7, 4)
        }
    }

    // MARK: Text

    static func row(_ term: String, _ text: String) -> String {
        "<dt>\(escape(term))</dt><dd>\(escape(text))</dd>\n"
    }

    static func escape(_ text: String) -> String { HTMLText.escape(text) }

    static func instant(_ seconds: Double) -> String { Timestamps.format(epochSecond: Int64(seconds.rounded(.down))) + "Z" }

    static func shortTime(_ seconds: Double) -> String {
        String(Timestamps.format(epochSecond: Int64(seconds.rounded(.down))).dropFirst(11).prefix(5)) + "Z"
    }

    static func age(_ seconds: Double) -> String {
        DurationText.format(max(1, (seconds < 3600 ? seconds : (seconds / 60).rounded() * 60).rounded()))
    }

    static func fmt(_ value: Double) -> String { String(format1: value) }
}
