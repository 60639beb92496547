/// A job as decoded and validated from one YAML file.
package struct JobDefinition: Sendable {
    /// `[a-z0-9][a-z0-9_-]*`; the file's stem unless `name:` is given.
    package var name: String
    /// The file the job came from (for error messages).
    package var file: String
    package var schedule: Schedule
    /// IANA zone name for cron schedules; default `UTC`.
    package var timezone: String
    /// Random delay added to each fire time, in seconds; default 0.
    package var jitterSeconds: Double
    package var target: TargetSettings
    package var http: HTTPSettings
    package var source: SourceSettings
    /// `max_run_time:` the longest one run may take before it is stopped and recorded failed; default 12h.
    /// Pages committed before the deadline stay (with their checkpoint), so the next run goes on from there.
    package var maxRunSeconds: Double
    /// `max_staleness:` how long without a success before the job counts as stale; nil: two schedule intervals.
    package var maxStalenessSeconds: Double?
    /// `repair_budget:` the most requests a scheduled run spends re-pulling gaps before new data; nil: the
    /// source's default (see ``JobDefinition/defaultRepairBudget``), 0: never repair automatically.
    package var repairBudget: Int?
    /// `tenant:` whose data this job pulls (`[a-z0-9][a-z0-9_-]*`); nil for a single-customer installation.
    /// Every row of the job's tables carries it in a `tenant` column that leads the primary key, and the
    /// job's API budgets are that tenant's own.
    package var tenant: String?

    /// Requests a run may spend on gaps when the job file says nothing: a tenth of Power BI's hourly budget,
    /// so repairs never starve the new data of a job that runs every hour.
    package static let defaultRepairBudget = 20

    /// The default of ``maxRunSeconds``: long enough for a first Power BI pull at 200 requests an hour.
    package static let defaultMaxRunSeconds: Double = 12 * 3600

    package init(name: String, file: String, schedule: Schedule, timezone: String = "UTC", jitterSeconds: Double = 0,
                target: TargetSettings, http: HTTPSettings = HTTPSettings(), source: SourceSettings,
                maxRunSeconds: Double = JobDefinition.defaultMaxRunSeconds, maxStalenessSeconds: Double? = nil,
                repairBudget: Int? = nil, tenant: String? = nil) {
        self.name = name
        self.tenant = tenant
        self.file = file
        self.schedule = schedule
        self.timezone = timezone
        self.jitterSeconds = jitterSeconds
        self.target = target
        self.http = http
        self.source = source
        self.maxRunSeconds = maxRunSeconds
        self.maxStalenessSeconds = maxStalenessSeconds
        self.repairBudget = repairBudget
    }

    /// Every secret reference of the job, keyed as in the job file: the source's and `pseudonym_key`.
    package var secrets: [(key: String, ref: SecretRef)] {
        source.secrets + (target.pseudonymKey.map { [("pseudonym_key", $0)] } ?? [])
    }

    /// The table name used when the job file gives none: the job name with `-` turned into `_`.
    package var defaultTable: String {
        let t = name.replacingAll("-", with: "_")
        return t.first.map { $0.isNumber } == true ? "t_" + t : t
    }
}

/// The `target:` block.
package struct TargetSettings: Sendable, Hashable {
    /// `[a-z_][a-z0-9_]*`; nil means derived from the job name (or per entity for Citrix).
    package var table: String?
    /// nil means the source's natural mode (upsert for paged sources, snapshot for WS1).
    package var mode: LoadMode?
    package var primaryKey: [String]
    /// `target.columns:` type overrides, keyed by source name or column name.
    package var columns: [String: ColumnType]
    /// `keep_snapshots:` for snapshot mode.
    package var keepSnapshots: Int?
    /// `pseudonymise:` source names whose values are replaced by a keyed hash before they leave the source;
    /// `Column.member` names a member of the objects inside a JSON column (`SharingInformation.RecipientEmail`).
    package var pseudonymise: [String]
    /// `drop:` source names that are never stored.
    package var drop: [String]
    /// `pseudonym_key:` the HMAC key of ``pseudonymise``; required when that list is not empty.
    package var pseudonymKey: SecretRef?

    package init(table: String? = nil, mode: LoadMode? = nil, primaryKey: [String] = [], columns: [String: ColumnType] = [:],
                keepSnapshots: Int? = nil, pseudonymise: [String] = [], drop: [String] = [],
                pseudonymKey: SecretRef? = nil) {
        self.table = table
        self.mode = mode
        self.primaryKey = primaryKey
        self.columns = columns
        self.keepSnapshots = keepSnapshots
        self.pseudonymise = pseudonymise
        self.drop = drop
        self.pseudonymKey = pseudonymKey
    }
}

/// The `http:` block.
package struct HTTPSettings: Sendable, Hashable {
    /// Per-request timeout in seconds; default 60.
    package var timeoutSeconds: Double
    /// Attempts per request including the first; default 6.
    package var maxAttempts: Int
    /// Client-side token bucket (`600/15m`); nil means the source's default (if any).
    package var rateLimit: RateLimit?
    /// `min_transfer_rate:` a streamed body (a WS1 download) that delivers less than this in any stretch of
    /// its duration fails the run; default `1KB/1m`, so a host trickling a byte now and then cannot hold a
    /// run for ever.
    package var minTransferRate: TransferRate

    package init(timeoutSeconds: Double = 60, maxAttempts: Int = 6, rateLimit: RateLimit? = nil,
                minTransferRate: TransferRate = .default) {
        self.timeoutSeconds = timeoutSeconds
        self.maxAttempts = maxAttempts
        self.rateLimit = rateLimit
        self.minTransferRate = minTransferRate
    }
}

/// `bytes/duration`, e.g. `1KB/1m`: at least `bytes` in every stretch of `perSeconds`.
package struct TransferRate: Sendable, Hashable, CustomStringConvertible {
    package var bytes: Int
    package var perSeconds: Double

    package init(bytes: Int, perSeconds: Double) {
        self.bytes = bytes
        self.perSeconds = perSeconds
    }

    /// 1 KB per minute.
    package static let `default` = TransferRate(bytes: 1000, perSeconds: 60)

    /// Parses `1KB/1m`, `500B/30s`, `1MiB/m`; sizes in B, KB, MB (×1000) or KiB, MiB (×1024).
    package init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let size = String(parts[0]).trimmingWhitespace().lowercased()
        let digits = size.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 12, let count = Int(digits) else { return nil }
        let factors: [String: Int] = ["": 1, "b": 1, "kb": 1000, "mb": 1_000_000, "kib": 1024, "mib": 1_048_576]
        guard let factor = factors[String(size.dropFirst(digits.count)).trimmingWhitespace()] else { return nil }
        var per = String(parts[1]).trimmingWhitespace()
        if let first = per.first, first.isLetter { per = "1" + per }
        guard let seconds = DurationText.seconds(per), seconds >= 1, seconds <= 86_400 else { return nil }
        self.init(bytes: count * factor, perSeconds: seconds)
    }

    package var description: String { "\(bytes)B/\(DurationText.format(perSeconds))" }
}

/// `N/duration`: at most `requests` requests per `perSeconds` seconds.
package struct RateLimit: Sendable, Hashable, CustomStringConvertible {
    package var requests: Int
    package var perSeconds: Double

    package init(requests: Int, perSeconds: Double) {
        self.requests = requests
        self.perSeconds = perSeconds
    }

    /// Parses `600/15m`, `200/1h`, `10/s`.
    package init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let n = Int(String(parts[0]).trimmingWhitespace()), n > 0 else { return nil }
        var per = String(parts[1]).trimmingWhitespace()
        if let first = per.first, first.isLetter { per = "1" + per }
        guard let seconds = DurationText.seconds(per), seconds > 0, seconds <= DurationText.maxSeconds else { return nil }
        self.init(requests: n, perSeconds: seconds)
    }

    package var description: String { "\(requests)/\(DurationText.format(perSeconds))" }
}

/// A secret reference. Secrets are never written literally in job files.
package enum SecretRef: Sendable, Hashable, CustomStringConvertible {
    /// `{ env: NAME }`: the environment variable NAME.
    case env(String)
    /// `{ file: /path }`: the file's contents, trailing newline removed.
    case file(String)
    /// `{ credential: name }`: `$CREDENTIALS_DIRECTORY/name`, as systemd's `LoadCredential=` provides.
    case credential(String)

    /// Where the secret lives, never its value.
    package var description: String {
        switch self {
        case .env(let n): return "{env: \(n)}"
        case .file(let p): return "{file: \(p)}"
        case .credential(let n): return "{credential: \(n)}"
        }
    }
}

/// The `source:` block, one case per source type.
package enum SourceSettings: Sendable {
    case cursorFeed(CursorFeedSettings)
    case ws1Intelligence(WS1Settings)
    case citrixMonitor(CitrixSettings)
    case powerBIActivity(PowerBISettings)

    /// The `type:` value as written in job files.
    package var typeName: String {
        switch self {
        case .cursorFeed: return "cursor-feed"
        case .ws1Intelligence: return "ws1-intelligence"
        case .citrixMonitor: return "citrix-monitor"
        case .powerBIActivity: return "powerbi-activity"
        }
    }

    /// Every URL the job will call, for the https-or-loopback rule.
    package var urls: [(key: String, url: String)] {
        switch self {
        case .cursorFeed(let s): return [("base_url", s.baseURL)]
        case .ws1Intelligence(let s):
            return [("api_base", s.apiBase), ("token_url", s.tokenURL)].compactMap { k, v in v.map { (k, $0) } }
        case .citrixMonitor(let s): return [("api_base", s.apiBase), ("token_url", s.tokenURL)]
        case .powerBIActivity(let s):
            return [("authority", s.authority), ("api_base", s.apiBase)].compactMap { k, v in v.map { (k, $0) } }
        }
    }

    /// Every secret reference of the source, keyed as in the job file, for resolving and permission checks.
    package var secrets: [(key: String, ref: SecretRef)] {
        let all: [(String, SecretRef?)]
        switch self {
        case .cursorFeed(let s): all = [("token", s.token)]
        case .ws1Intelligence(let s):
            all = [("service_account", s.serviceAccount), ("client_id", s.clientID), ("client_secret", s.clientSecret)]
        case .citrixMonitor(let s):
            all = [("customer_id", s.customerID), ("client_id", s.clientID), ("client_secret", s.clientSecret)]
        case .powerBIActivity(let s):
            all = [("tenant_id", s.tenantID), ("client_id", s.clientID), ("client_secret", s.clientSecret)]
        }
        return all.compactMap { k, v in v.map { (k, $0) } }
    }
}

/// `type: cursor-feed`: any JSON feed of the form `{ rows, nextCursor, schemaVersion }`.
package struct CursorFeedSettings: Sendable, Hashable {
    package var baseURL: String
    package var dataset: String
    /// Sent as `Authorization: Bearer <token>`; optional for open feeds.
    package var token: SecretRef?
    package var cursorParam: String
    package var sinceParam: String
    package var updatedField: String
    package var pageSize: Int
    /// Query parameter that carries `page_size`.
    package var pageSizeParam: String
    /// Re-read this many seconds before the watermark; default 0.
    package var lookbackSeconds: Double
    /// The row key for upserts when `target.primary_key` is not given.
    package var keyField: String

    package init(baseURL: String, dataset: String, token: SecretRef?, cursorParam: String = "cursor",
                sinceParam: String = "updated_since", updatedField: String = "updated_at_utc", pageSize: Int = 1000,
                pageSizeParam: String = "page_size", lookbackSeconds: Double = 0, keyField: String = "id") {
        self.baseURL = baseURL
        self.dataset = dataset
        self.token = token
        self.cursorParam = cursorParam
        self.sinceParam = sinceParam
        self.updatedField = updatedField
        self.pageSize = pageSize
        self.pageSizeParam = pageSizeParam
        self.lookbackSeconds = lookbackSeconds
        self.keyField = keyField
    }
}

/// `type: ws1-intelligence`.
package struct WS1Settings: Sendable, Hashable {
    package var region: String
    /// Explicit hosts; nil means built from `region`.
    package var apiBase: String?
    package var tokenURL: String?
    package var apiVersion: String
    package var reportID: String
    /// The service-account JSON file (tokenEndpoint, clientId, clientSecret).
    package var serviceAccount: SecretRef?
    package var clientID: SecretRef?
    package var clientSecret: SecretRef?
    package var runReport: Bool
    /// How long `run_report` waits for the download to complete, in seconds.
    package var runTimeoutSeconds: Double
    package var pageSize: Int

    package init(region: String = "na1", apiBase: String? = nil, tokenURL: String? = nil, apiVersion: String = "v2",
                reportID: String, serviceAccount: SecretRef? = nil, clientID: SecretRef? = nil,
                clientSecret: SecretRef? = nil, runReport: Bool = false, runTimeoutSeconds: Double = 1800,
                pageSize: Int = 100) {
        self.region = region
        self.apiBase = apiBase
        self.tokenURL = tokenURL
        self.apiVersion = apiVersion
        self.reportID = reportID
        self.serviceAccount = serviceAccount
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.runReport = runReport
        self.runTimeoutSeconds = runTimeoutSeconds
        self.pageSize = pageSize
    }
}

/// One entity set of a Citrix Monitor job.
package struct CitrixEntity: Sendable, Hashable {
    package var name: String
    /// nil means the built-in default for this entity set.
    package var key: [String]?
    package var cursor: String?
    package var table: String?
    /// How long the Monitor service keeps this entity set's rows; nil: the job's ``CitrixSettings/retentionSeconds``.
    package var retentionSeconds: Double?

    package init(name: String, key: [String]? = nil, cursor: String? = nil, table: String? = nil,
                retentionSeconds: Double? = nil) {
        self.name = name
        self.key = key
        self.cursor = cursor
        self.table = table
        self.retentionSeconds = retentionSeconds
    }
}

/// `type: citrix-monitor`.
package struct CitrixSettings: Sendable, Hashable {
    package var apiBase: String
    /// May contain `{customer_id}`.
    package var tokenURL: String
    package var customerID: SecretRef
    package var clientID: SecretRef
    package var clientSecret: SecretRef
    package var entities: [CitrixEntity]
    package var initialLookbackSeconds: Double
    package var lookbackSeconds: Double
    package var windowSeconds: Double
    /// `retention:` how long the Monitor service keeps rows (gaps older than this are lost); default 30 days.
    package var retentionSeconds: Double

    package static let defaultRetentionSeconds: Double = 30 * 86_400

    package init(apiBase: String = "https://api.cloud.com/monitorodata",
                tokenURL: String = "https://api.cloud.com/cctrustoauth2/{customer_id}/tokens/clients",
                customerID: SecretRef, clientID: SecretRef, clientSecret: SecretRef, entities: [CitrixEntity],
                initialLookbackSeconds: Double = 7 * 86_400, lookbackSeconds: Double = 3600, windowSeconds: Double = 86_400,
                retentionSeconds: Double = CitrixSettings.defaultRetentionSeconds) {
        self.apiBase = apiBase
        self.tokenURL = tokenURL
        self.customerID = customerID
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.entities = entities
        self.initialLookbackSeconds = initialLookbackSeconds
        self.lookbackSeconds = lookbackSeconds
        self.windowSeconds = windowSeconds
        self.retentionSeconds = retentionSeconds
    }
}

/// `type: powerbi-activity`.
package struct PowerBISettings: Sendable, Hashable {
    /// public | gcc | gcc-high | dod | china.
    package var cloud: String
    /// Explicit URLs; nil means from `cloud`.
    package var authority: String?
    package var scopeResource: String?
    package var apiBase: String?
    package var tenantID: SecretRef
    package var clientID: SecretRef
    package var clientSecret: SecretRef
    package var filter: String?
    package var initialLookbackSeconds: Double
    package var lateArrivalSeconds: Double
    /// Extra hosts `continuationUri` may point at (`host` or `*.domain`), beyond the API host and
    /// `*.analysis.windows.net`; `continuation_hosts:` in the job file.
    package var continuationHosts: [String]

    package init(cloud: String = "public", authority: String? = nil, scopeResource: String? = nil, apiBase: String? = nil,
                tenantID: SecretRef, clientID: SecretRef, clientSecret: SecretRef, filter: String? = nil,
                initialLookbackSeconds: Double = 7 * 86_400, lateArrivalSeconds: Double = 3600,
                continuationHosts: [String] = []) {
        self.cloud = cloud
        self.authority = authority
        self.scopeResource = scopeResource
        self.apiBase = apiBase
        self.tenantID = tenantID
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.filter = filter
        self.initialLookbackSeconds = initialLookbackSeconds
        self.lateArrivalSeconds = lateArrivalSeconds
        self.continuationHosts = continuationHosts
    }
}
