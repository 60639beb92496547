package import Foundation
package import Hummingbird
import Synchronization

/// Emulates a `{ rows, nextCursor, schemaVersion }` BI data feed.
///
/// `GET {basePath}/{dataset}?updated_since=<ISO-8601>&cursor=<opaque>&page_size=<n>` answers
/// `{"rows":[…],"nextCursor":"…"|null,"schemaVersion":1}`. Rows come in ascending (`updated_at_utc`, `id`)
/// order; `updated_since` is inclusive; `page_size` defaults to 100 and is clamped to 1000; with a cursor the
/// since parameter may be omitted or repeated (a different value is a 400). A bearer token is required when
/// `expectedToken` is set. Data is generated from row ids (deterministic); tests change it with `touch` and
/// `append`, and inject faults through `faults`. Every request to the dataset route is counted in `journal`,
/// and `faults`' positional knobs use those 1-based numbers.
package final class CursorFeedEmulator: Emulator {
    /// The fixed shape of the feed.
    package struct Configuration: Sendable {
        /// Path prefix before the dataset, e.g. `/api/bi/v1`.
        package var basePath: String
        /// Dataset name, the last path segment.
        package var dataset: String
        /// Rows at start, ids 1…rowCount.
        package var rowCount: Int
        /// Bearer token required in `Authorization`; nil serves without authentication.
        package var expectedToken: String?
        /// Rows with this id or above carry an extra `region` field, and pages holding one say schemaVersion 2.
        package var schemaGrowthAtRow: Int?
        /// Query parameter names, as the job file's `cursor_param` and `since_param` say.
        package var cursorParam: String
        /// Name of the incremental filter parameter.
        package var sinceParam: String
        /// Name of the page size parameter.
        package var pageSizeParam: String
        /// Name of the row field holding the update instant.
        package var updatedField: String
        /// Page size when the client sends none.
        package var defaultPageSize: Int
        /// Larger requested page sizes are reduced to this.
        package var maxPageSize: Int
        /// `updated_at_utc` of row 1; row n is `n - 1` intervals later.
        package var firstUpdatedAt: Date
        /// Time between consecutive rows' `updated_at_utc`.
        package var rowInterval: Duration

        /// A feed configuration; the defaults follow the design's `cursor-feed` job defaults.
        package init(
            basePath: String = "/api/bi/v1",
            dataset: String = "access-requests",
            rowCount: Int = 250,
            expectedToken: String? = nil,
            schemaGrowthAtRow: Int? = nil,
            cursorParam: String = "cursor",
            sinceParam: String = "updated_since",
            pageSizeParam: String = "page_size",
            updatedField: String = "updated_at_utc",
            defaultPageSize: Int = 100,
            maxPageSize: Int = 1000,
            firstUpdatedAt: Date = Date(timeIntervalSince1970: 1_767_225_600),  // 2026-01-01T00:00:00Z
            rowInterval: Duration = .seconds(60)
        ) {
            self.basePath = basePath
            self.dataset = dataset
            self.rowCount = rowCount
            self.expectedToken = expectedToken
            self.schemaGrowthAtRow = schemaGrowthAtRow
            self.cursorParam = cursorParam
            self.sinceParam = sinceParam
            self.pageSizeParam = pageSizeParam
            self.updatedField = updatedField
            self.defaultPageSize = defaultPageSize
            self.maxPageSize = maxPageSize
            self.firstUpdatedAt = firstUpdatedAt
            self.rowInterval = rowInterval
        }
    }

    struct State {
        var configuration: Configuration
        var table: CursorFeedTable
    }

    let state: Mutex<State>
    /// The fixed configuration this feed was created with (runtime knobs are read through their accessors).
    package let configuration: Configuration
    /// Requests to the dataset route: count, log (without credentials) and counts by status.
    package let journal = RequestJournal()
    /// Injected failures, delays and damaged bodies, by request number.
    package let faults = FaultKnobs()
    /// The clock of this server's `Date` headers.
    package let serverClock = ServerClock()

    /// A feed with the given configuration.
    package init(_ configuration: Configuration = Configuration()) {
        self.configuration = configuration
        let interval = configuration.rowInterval.components
        let table = CursorFeedTable(
            rowCount: configuration.rowCount,
            firstMillis: EmulatorTimestamp.millis(of: configuration.firstUpdatedAt),
            intervalMillis: interval.seconds * 1000 + interval.attoseconds / 1_000_000_000_000_000
        )
        self.state = Mutex(State(configuration: configuration, table: table))
    }

    /// The path prefix the server adds to the base URL it hands out.
    package var basePath: String { configuration.basePath }

    /// Mounts `GET {basePath}/{dataset}`; any other dataset name is answered 404 (and still counted).
    package func addRoutes(to router: Router<BasicRequestContext>) {
        router.get(RouterPath(configuration.basePath + "/:dataset")) { request, context in
            try await self.respond(to: request, dataset: context.parameters.get("dataset") ?? "")
        }
    }

    /// Changes the token the feed expects (nil: no authentication), e.g. to emulate a revoked token.
    package func setExpectedToken(_ token: String?) {
        state.withLock { $0.configuration.expectedToken = token }
    }

    /// Makes rows from `id` on carry the extra `region` field (nil: none do).
    package func setSchemaGrowth(atRow id: Int?) {
        state.withLock { $0.configuration.schemaGrowthAtRow = id }
    }

    /// Edits rows and moves their `updated_at_utc` to `date`, as a source does when records change.
    ///
    /// Without explicit values the name becomes `item <id> rev <k>` (k counts this row's touches) and the
    /// amount grows by 1.00. Unknown ids are ignored.
    package func touch(ids: [Int], at date: Date, name: String? = nil, amount: Double? = nil) {
        let millis = EmulatorTimestamp.millis(of: date)
        state.withLock { state in
            state.table.touch(ids: ids, millis: millis) { id, current in
                var edit = current
                edit.name = name ?? Self.revisedName(id: id, current: current.name)
                edit.amountHundredths = amount.map { Int(($0 * 100).rounded()) } ?? current.amountHundredths + 100
                return edit
            }
        }
    }

    /// Adds `count` rows after the newest row in the feed (one `rowInterval` apart); returns their ids.
    @discardableResult
    package func append(count: Int) -> [Int] {
        state.withLock { $0.table.append(count: count) }
    }

    /// How many rows the feed holds.
    package var rowCount: Int { state.withLock { $0.table.count } }

    /// The ids a complete read would return, in feed order, optionally only those updated at or after `date`.
    package func orderedIDs(updatedSince date: Date? = nil) -> [Int] {
        let bound = CursorFeedTable.Key(millis: date.map(EmulatorTimestamp.millis(of:)) ?? .min, id: 0)
        return state.withLock { $0.table.keys(after: bound, limit: .max).map(\.id) }
    }

    /// The row's current `updated_at_utc` text (`2026-01-01T00:05:00Z`), or nil for an unknown id.
    package func updatedAt(id: Int) -> String? {
        state.withLock { $0.table.key(of: id) }.map { EmulatorTimestamp.iso8601(millis: $0.millis) }
    }

    private static func revisedName(id: Int, current: String) -> String {
        let prefix = "item \(id) rev "
        let revision = current.hasPrefix(prefix) ? Int(current.dropFirst(prefix.count)) ?? 0 : 0
        return prefix + String(revision + 1)
    }
}
