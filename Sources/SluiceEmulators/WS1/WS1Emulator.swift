package import Foundation
import Hummingbird
import Synchronization

/// Emulates the Workspace ONE Intelligence Reports API for one report.
///
/// Routes: `POST /oauth/token?grant_type=client_credentials` (HTTP Basic; wrong credentials → 401),
/// `POST /{v1|v2}/reports/{id}/downloads/search` (paging in the JSON body, results deliberately not in time
/// order and mixed with non-COMPLETED entries), `POST /{v}/reports/{id}/run` (a new entry that becomes
/// COMPLETED after `completeAfterPolls` list requests) and `GET /{v}/reports/tracking/{id}/download`
/// (302 to ``storage``, which must run on another host). API calls need a token from the token route.
package final class WS1Emulator: Emulator {
    /// The fixed shape of the emulated tenant.
    package struct Configuration: Sendable {
        package var reportID: String
        package var clientID: String
        package var clientSecret: String
        /// List requests after which an entry created by `/run` turns COMPLETED.
        package var completeAfterPolls: Int
        /// What a `/run` produces.
        package var runCSV: WS1CSVSpec
        /// `expires_in` of issued tokens (the documented sample says 3599).
        package var tokenLifetimeSeconds: Int

        package init(reportID: String = "375c49a4-8af5-4e5e-96b4-d6b015828a33",
                    clientID: String = "sluice@tenant.data.workspaceone.com", clientSecret: String,
                    completeAfterPolls: Int = 2, runCSV: WS1CSVSpec = WS1CSVSpec(rows: 40, seed: 99),
                    tokenLifetimeSeconds: Int = 3599) {
            self.reportID = reportID
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.completeAfterPolls = completeAfterPolls
            self.runCSV = runCSV
            self.tokenLifetimeSeconds = tokenLifetimeSeconds
        }
    }

    /// One entry of the downloads list.
    struct Entry: Sendable {
        var id: String
        var status: String
        var createdMillis: Int64
        var modifiedMillis: Int64
        var scheduleID: String
        var csv: WS1CSVSpec
        /// For entries made by `/run`: list requests left before it completes.
        var pollsLeft: Int?
    }

    struct State {
        var configuration: Configuration
        var entries: [Entry] = []
        var storageURL: String?
        var created = 0
        /// Tracking ids requested through the download route, in order.
        var downloadRequests: [String] = []
        /// Paging values written into list answers instead of the real ones (a hostile server).
        var reflectedOffset: Int64?
        /// While set, the report is not shared with the service account and its routes answer this status.
        var unsharedStatus: Int?
    }

    let state: Mutex<State>
    /// The token route's endpoint (its own journal and fault knobs).
    package let tokenEndpoint: OAuthTokenEndpoint
    /// The signed-URL storage the download route redirects to; host it on another loopback address.
    package let storage: WS1StorageEmulator
    /// Requests to the API routes (token requests are in `tokenEndpoint.journal`).
    package let journal = RequestJournal()
    /// Faults for API requests, by `journal` arrival number.
    package let faults = FaultKnobs()
    /// The clock of this server's `Date` headers (token route included).
    package let serverClock = ServerClock()

    package init(_ configuration: Configuration) {
        tokenEndpoint = OAuthTokenEndpoint(.init(clientID: configuration.clientID, clientSecret: configuration.clientSecret,
                                                 lifetimeSeconds: configuration.tokenLifetimeSeconds, tokenStyle: .jwt))
        let state = Mutex(State(configuration: configuration))
        self.state = state
        storage = WS1StorageEmulator()
    }

    /// Where `/download` redirects: the base URL of ``storage`` once it listens.
    package func setStorageURL(_ url: String) {
        state.withLock { $0.storageURL = url }
    }

    /// Adds a download to the list and returns its tracking id.
    @discardableResult
    package func addDownload(status: String = "COMPLETED", modifiedAt: Date, createdAt: Date? = nil,
                            csv: WS1CSVSpec = WS1CSVSpec(), scheduleID: String? = nil) -> String {
        let modified = EmulatorTimestamp.millis(of: modifiedAt)
        let created = createdAt.map(EmulatorTimestamp.millis(of:)) ?? modified - 14_000
        let id = state.withLock { state in
            state.created += 1
            let id = Self.uuid(seed: UInt64(state.created) &* 7919 &+ UInt64(bitPattern: modified))
            let schedule = scheduleID ?? Self.uuid(seed: UInt64(state.created) &* 104_729)
            state.entries.append(Entry(id: id, status: status, createdMillis: created, modifiedMillis: modified,
                                       scheduleID: schedule, csv: csv, pollsLeft: nil))
            // Keep the list out of time order on purpose: clients must sort, not trust positions.
            state.entries.sort { $0.id < $1.id }
            return id
        }
        storage.register(csv, forDownload: id)
        return id
    }

    /// Changes an entry's status (e.g. a pending download completing).
    package func setStatus(_ status: String, forDownload id: String) {
        state.withLock { state in
            for index in state.entries.indices where state.entries[index].id == id { state.entries[index].status = status }
        }
    }

    /// Makes `/run` entries complete after `polls` list requests (`Int.max`: never).
    package func setCompleteAfterPolls(_ polls: Int) {
        state.withLock { $0.configuration.completeAfterPolls = polls }
    }

    /// Tracking ids requested through the download route, in order.
    package var downloadRequests: [String] { state.withLock { $0.downloadRequests } }

    /// Writes `offset` (and the same `total_count`) into every list answer instead of the real values, as a
    /// broken or hostile server might (`9223372036854775807`); nil restores the real ones.
    package func setReflectedOffset(_ offset: Int64?) {
        state.withLock { $0.reflectedOffset = offset }
    }

    /// Unshares the report from the service account: listing its downloads, running it and downloading answer
    /// `status` (403, authorization failed, or 404, as if the report did not exist, both seen in the field);
    /// nil shares it again.
    package func setReportUnshared(status: Int?) {
        state.withLock { $0.unsharedStatus = status }
    }

    /// Ids of the entries in list order.
    package var listedIDs: [String] { state.withLock { $0.entries.map(\.id) } }

    /// A UUID-shaped id derived from `seed`: stable between runs, unrelated to creation order.
    static func uuid(seed: UInt64) -> String {
        let a = WS1CSVGenerator.mix(seed), b = WS1CSVGenerator.mix(a)
        func padded(_ v: UInt64) -> String {
            let s = String(v, radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        }
        let hex = Array(padded(a) + padded(b))
        return String(hex[0..<8]) + "-" + String(hex[8..<12]) + "-4" + String(hex[13..<16]) + "-a"
            + String(hex[17..<20]) + "-" + String(hex[20..<32])
    }
}
