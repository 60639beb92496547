import Yams

/// The `source:` block, one reader per source type (keys as the README's job file reference shows them).
extension JobFileDecoder {
    static let sourceTypes = ["cursor-feed", "ws1-intelligence", "citrix-monitor", "powerbi-activity"]
    static let cursorFeedKeys = ["type", "base_url", "dataset", "token", "cursor_param", "since_param", "updated_field",
                                 "page_size", "page_size_param", "lookback", "key"]
    static let ws1Keys = ["type", "region", "api_base", "token_url", "api_version", "report_id", "service_account",
                          "client_id", "client_secret", "run_report", "page_size", "run_timeout"]
    static let citrixKeys = ["type", "api_base", "token_url", "customer_id", "client_id", "client_secret", "entities",
                             "initial_lookback", "lookback", "window", "retention"]
    static let powerBIKeys = ["type", "cloud", "authority", "scope_resource", "api_base", "tenant_id", "client_id",
                              "client_secret", "filter", "initial_lookback", "late_arrival", "continuation_hosts"]
    static let powerBIClouds = ["public", "gcc", "gcc-high", "dod", "china"]
    /// The Power BI activity API keeps 28 days of events (Microsoft's pages say 28 or 30 days; 28 is safe).
    static let powerBIRetentionSeconds: Double = 28 * 86_400

    static func readSource(_ reader: JobFileReader, _ map: JobFileMap) -> SourceSettings? {
        guard let type = reader.choice(map, "type", sourceTypes, required: true) else { return nil }
        switch type {
        case "cursor-feed": return readCursorFeed(reader, map).map(SourceSettings.cursorFeed)
        case "ws1-intelligence": return readWS1(reader, map).map(SourceSettings.ws1Intelligence)
        case "citrix-monitor": return readCitrix(reader, map).map(SourceSettings.citrixMonitor)
        default: return readPowerBI(reader, map).map(SourceSettings.powerBIActivity)
        }
    }

    private static func readCursorFeed(_ reader: JobFileReader, _ map: JobFileMap) -> CursorFeedSettings? {
        reader.checkKeys(map, allowed: cursorFeedKeys)
        let baseURL = reader.url(map, "base_url", required: true)
        let dataset = reader.nonEmptyString(map, "dataset", required: true)
        if let dataset, dataset.contains(where: { " ?#&".contains($0) }) {
            reader.fail(at: map.entry("dataset")!.value, "source.dataset '\(dataset)' must be a path segment (no spaces, ?, # or &)")
        }
        var s = CursorFeedSettings(baseURL: "", dataset: "", token: reader.secret(map, "token"))
        if let v = parameterName(reader, map, "cursor_param") { s.cursorParam = v }
        if let v = parameterName(reader, map, "since_param") { s.sinceParam = v }
        if let v = reader.nonEmptyString(map, "updated_field") { s.updatedField = v }
        if let v = reader.int(map, "page_size", in: 1...100_000) { s.pageSize = v }
        if let v = parameterName(reader, map, "page_size_param") { s.pageSizeParam = v }
        if let v = reader.duration(map, "lookback", allowZero: true, max: 366 * 86_400) { s.lookbackSeconds = v }
        if let v = reader.nonEmptyString(map, "key") { s.keyField = v }
        guard let baseURL, let dataset else { return nil }
        s.baseURL = baseURL
        s.dataset = dataset
        return s
    }

    /// A query parameter name: no characters that would need escaping or split the query.
    private static func parameterName(_ reader: JobFileReader, _ map: JobFileMap, _ key: String) -> String? {
        guard let text = reader.nonEmptyString(map, key) else { return nil }
        guard !text.contains(where: { " ?#&=".contains($0) }) else {
            reader.fail(at: map.entry(key)!.value, "\(map.keyPath(key)) '\(text)' must be a plain query parameter name")
            return nil
        }
        return text
    }

    private static func readWS1(_ reader: JobFileReader, _ map: JobFileMap) -> WS1Settings? {
        reader.checkKeys(map, allowed: ws1Keys)
        let reportID = reader.nonEmptyString(map, "report_id", required: true)
        if let reportID, reportID.contains(where: { " /?#&".contains($0) }) {
            reader.fail(at: map.entry("report_id")!.value, "source.report_id must be the report's id (a UUID), not a path or URL")
        }
        let serviceAccount = reader.secret(map, "service_account")
        let clientID = reader.secret(map, "client_id")
        let clientSecret = reader.secret(map, "client_secret")
        let hasAccount = map.entry("service_account") != nil
        let hasClient = map.entry("client_id") != nil || map.entry("client_secret") != nil
        if hasAccount, hasClient {
            reader.fail(line: map.line, "source: give either service_account or client_id and client_secret, not both")
        } else if !hasAccount, !hasClient {
            reader.fail(line: map.line, "source needs credentials: service_account: {file: …} (the JSON Intelligence "
                + "hands out), or client_id and client_secret")
        } else if hasClient, map.entry("client_id") == nil || map.entry("client_secret") == nil {
            let missing = map.entry("client_id") == nil ? "client_id" : "client_secret"
            reader.fail(line: map.line, "missing required key '\(missing)' in source (client_id and client_secret go together)")
        }
        var s = WS1Settings(reportID: "", serviceAccount: serviceAccount, clientID: clientID, clientSecret: clientSecret)
        if let region = reader.nonEmptyString(map, "region") {
            if JobFileReader.matches(region, first: JobFileReader.isLowerLetter,
                                     rest: { JobFileReader.isLowerLetter($0) || JobFileReader.isDigit($0) || $0 == "-" }) {
                s.region = region
            } else {
                reader.fail(at: map.entry("region")!.value, "source.region '\(region)' must be a region code such as na1, eu1 or apac1")
            }
        }
        s.apiBase = reader.url(map, "api_base")
        s.tokenURL = reader.url(map, "token_url")
        if let v = reader.choice(map, "api_version", ["v1", "v2"]) { s.apiVersion = v }
        if let v = reader.bool(map, "run_report") { s.runReport = v }
        if let v = reader.int(map, "page_size", in: 1...1000) { s.pageSize = v }
        if let v = reader.duration(map, "run_timeout", max: 7 * 86_400) { s.runTimeoutSeconds = v }
        guard let reportID else { return nil }
        s.reportID = reportID
        return s
    }

    private static func readCitrix(_ reader: JobFileReader, _ map: JobFileMap) -> CitrixSettings? {
        reader.checkKeys(map, allowed: citrixKeys)
        let customerID = reader.secret(map, "customer_id", required: true)
        let clientID = reader.secret(map, "client_id", required: true)
        let clientSecret = reader.secret(map, "client_secret", required: true)
        let entities = readEntities(reader, map)
        var s = CitrixSettings(customerID: .env(""), clientID: .env(""), clientSecret: .env(""), entities: [])
        if let v = reader.url(map, "api_base") { s.apiBase = v }
        if let v = reader.url(map, "token_url") { s.tokenURL = v }
        if let v = reader.duration(map, "initial_lookback", max: 366 * 86_400) { s.initialLookbackSeconds = v }
        if let v = reader.duration(map, "lookback", allowZero: true, max: 366 * 86_400) { s.lookbackSeconds = v }
        if let v = reader.duration(map, "retention", max: 3650 * 86_400) { s.retentionSeconds = v }
        if let v = reader.duration(map, "window", max: 366 * 86_400) {
            if v < 1 {
                reader.fail(at: map.entry("window")!.value, "source.window must be at least 1s")
            } else {
                s.windowSeconds = v
            }
        }
        guard let customerID, let clientID, let clientSecret, let entities else { return nil }
        (s.customerID, s.clientID, s.clientSecret, s.entities) = (customerID, clientID, clientSecret, entities)
        return s
    }

    private static func readPowerBI(_ reader: JobFileReader, _ map: JobFileMap) -> PowerBISettings? {
        reader.checkKeys(map, allowed: powerBIKeys)
        let tenantID = reader.secret(map, "tenant_id", required: true)
        let clientID = reader.secret(map, "client_id", required: true)
        let clientSecret = reader.secret(map, "client_secret", required: true)
        var s = PowerBISettings(tenantID: .env(""), clientID: .env(""), clientSecret: .env(""))
        if let v = reader.choice(map, "cloud", powerBIClouds) { s.cloud = v }
        s.authority = reader.url(map, "authority")
        s.scopeResource = reader.nonEmptyString(map, "scope_resource")
        s.apiBase = reader.url(map, "api_base")
        s.filter = reader.nonEmptyString(map, "filter")
        if let v = reader.duration(map, "initial_lookback") {
            if v > powerBIRetentionSeconds {
                reader.fail(at: map.entry("initial_lookback")!.value,
                            "source.initial_lookback \(DurationText.format(v)) is more than 28d: the Power BI activity "
                                + "API keeps only 28 days of events")
            } else {
                s.initialLookbackSeconds = v
            }
        }
        if let v = reader.duration(map, "late_arrival", allowZero: true, max: powerBIRetentionSeconds) { s.lateArrivalSeconds = v }
        if let hosts = reader.stringList(map, "continuation_hosts") {
            for host in hosts where host.contains(where: { " /:?#@".contains($0) }) {
                reader.fail(at: map.entry("continuation_hosts")!.value,
                            "source.continuation_hosts: '\(host)' must be a host name such as "
                                + "wabi-west-us-redirect.analysis.windows.net or *.example.com (no scheme, port or path)")
            }
            s.continuationHosts = hosts.map { $0.lowercased() }
        }
        guard let tenantID, let clientID, let clientSecret else { return nil }
        (s.tenantID, s.clientID, s.clientSecret) = (tenantID, clientID, clientSecret)
        return s
    }

    static let entityKeys = ["name", "key", "cursor", "table", "retention"]

    /// `entities:` items are an entity-set name, or `{name, key, cursor, table}` to override the built-in defaults.
    private static func readEntities(_ reader: JobFileReader, _ map: JobFileMap) -> [CitrixEntity]? {
        guard let entry = reader.entry(map, "entities", required: true) else { return nil }
        guard case .sequence(let items) = entry.value, !items.isEmpty else {
            reader.fail(at: entry.value, "source.entities must be a list of entity sets, e.g. [Sessions, Machines]")
            return nil
        }
        var entities: [CitrixEntity] = []
        var ok = true
        for (index, item) in items.enumerated() {
            let path = "source.entities[\(index + 1)]"
            let entity: CitrixEntity?
            if item.mapping != nil {
                entity = readEntityBlock(reader, item, path: path, line: item.mark?.line ?? entry.line)
            } else {
                entity = reader.scalarText(item, path: path).flatMap { checkEntityName(reader, $0, at: item, path: path) }
                    .map { CitrixEntity(name: $0) }
            }
            guard let entity else { ok = false; continue }
            if entities.contains(where: { $0.name == entity.name }) {
                reader.fail(at: item, "\(path): entity set '\(entity.name)' is listed twice")
                ok = false
            }
            entities.append(entity)
        }
        return ok ? entities : nil
    }

    private static func readEntityBlock(_ reader: JobFileReader, _ node: Node, path: String, line: Int) -> CitrixEntity? {
        guard let block = reader.map(node, path: path, line: line) else { return nil }
        reader.checkKeys(block, allowed: entityKeys)
        let name = reader.nonEmptyString(block, "name", required: true)
            .flatMap { checkEntityName(reader, $0, at: block.entry("name")!.value, path: "\(path).name") }
        let key = reader.stringList(block, "key")
        let cursor = reader.nonEmptyString(block, "cursor")
        let table = reader.nonEmptyString(block, "table")
        if let table { reader.checkTableName(table, path: "\(path).table", at: block.entry("table")!.value) }
        let retention = reader.duration(block, "retention", max: 3650 * 86_400)
        guard let name else { return nil }
        return CitrixEntity(name: name, key: key, cursor: cursor, table: table, retentionSeconds: retention)
    }

    /// OData entity-set names are identifiers (`Sessions`, `SessionMetrics`); anything else breaks the URL.
    private static func checkEntityName(_ reader: JobFileReader, _ name: String, at node: Node, path: String) -> String? {
        let trimmed = name.trimmingWhitespace()
        guard JobFileReader.matches(trimmed, first: JobFileReader.isLetter,
                                    rest: { JobFileReader.isLetter($0) || JobFileReader.isDigit($0) || $0 == "_" }) else {
            reader.fail(at: node, "\(path) '\(trimmed)' must be an OData entity set name such as Sessions or Machines")
            return nil
        }
        return trimmed
    }
}
