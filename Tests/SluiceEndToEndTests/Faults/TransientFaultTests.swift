import Foundation
import SluiceEmulators
import Testing

/// A fault injected into one request of a run, which the run must get over.
enum TransientFault: Sendable, CustomTestStringConvertible {
    /// Every token expires when the request arrives (401); the client fetches a new one.
    case expiredToken
    /// The request is answered 401 although its token is good (a revoked token).
    case revokedToken
    /// The request is answered with this status (429 comes with `Retry-After: 1`).
    case status(Int)
    /// The token request is answered with this status.
    case tokenEndpoint(Int)
    /// WS1: the download redirect request is answered with this status.
    case download(Int)
    /// WS1: the signed storage URL is answered with this status.
    case storage(Int)

    static let statuses: [TransientFault] = [.status(429), .status(500), .status(502), .status(503), .status(504)]

    var retryAfter: String? { if case .status(429) = self { "1" } else { nil } }

    var testDescription: String {
        switch self {
        case .expiredToken: "token expired mid-run"
        case .revokedToken: "token revoked mid-run (401)"
        case .status(let s): "HTTP \(s) mid-run"
        case .tokenEndpoint(let s): "HTTP \(s) from the token endpoint"
        case .download(let s): "HTTP \(s) on the download redirect"
        case .storage(let s): "HTTP \(s) from signed storage"
        }
    }
}

/// Transient failures (401 with a token to refresh, 429 with `Retry-After`, 500/502/503/504) are
/// retried and the run ends `succeeded` with exactly the content of a clean run. Connection resets are not
/// covered: no emulator can drop a connection (see the report).
@Suite("transient faults are recovered")
struct TransientFaultTests {
    /// Monitor request 3 is page 2 of Sessions (1 is `$metadata`).
    @Test(arguments: [TransientFault.expiredToken, .revokedToken, .tokenEndpoint(503)] + TransientFault.statuses)
    func citrix(_ fault: TransientFault) async throws {
        try await FaultHarness.citrix { emulator, h in
            let issuedBefore = { emulator.tokens.tokensIssued }
            var baseline = 0
            try await FaultScenario.recovers(h, fault.testDescription, resetJournals: {
                emulator.journal.reset()
                emulator.tokens.journal.reset()
                baseline = issuedBefore()
            }, inject: {
                switch fault {
                case .expiredToken: emulator.expireTokens(onRequest: 3)
                case .revokedToken: emulator.faults.failRequest(3, status: 401)
                case .status(let s): emulator.faults.failRequest(3, status: s, retryAfter: fault.retryAfter)
                case .tokenEndpoint(let s): emulator.tokens.faults.failRequest(1, status: s)
                case .download, .storage: Issue.record("not a Citrix fault")
                }
            }, served: {
                switch fault {
                case .expiredToken, .revokedToken:
                    emulator.journal.count(status: 401) == 1 && emulator.tokens.tokensIssued == baseline + 2
                case .status(let s): emulator.journal.count(status: s) == 1
                case .tokenEndpoint(let s): emulator.tokens.journal.count(status: s) == 1
                case .download, .storage: false
                }
            })
        }
    }

    /// API request 3 is page 3 of the first day with events.
    @Test(arguments: [TransientFault.expiredToken, .revokedToken] + TransientFault.statuses)
    func powerBI(_ fault: TransientFault) async throws {
        try await FaultHarness.powerBI { emulator, h in
            var baseline = 0
            try await FaultScenario.recovers(h, fault.testDescription, resetJournals: {
                emulator.journal.reset()
                baseline = emulator.tokensIssued
            }, inject: {
                switch fault {
                case .expiredToken: emulator.expireTokens(atRequest: 3)
                case .revokedToken: emulator.faults.failRequest(3, status: 401)
                case .status(let s): emulator.faults.failRequest(3, status: s, retryAfter: fault.retryAfter)
                default: Issue.record("not a Power BI fault")
                }
            }, served: {
                switch fault {
                case .expiredToken, .revokedToken:
                    emulator.journal.count(status: 401) == 1 && emulator.tokensIssued == baseline + 2
                case .status(let s): emulator.journal.count(status: s) == 1
                default: false
                }
            })
        }
    }

    /// Three downloads listed two per page: API requests 1-2 list, 3 is the download redirect.
    @Test(arguments: [TransientFault.revokedToken, .tokenEndpoint(503), .download(503), .storage(503), .storage(500)]
          + TransientFault.statuses)
    func ws1(_ fault: TransientFault) async throws {
        try await FaultHarness.ws1 { emulator, h in
            for day in 1...3 { emulator.addDownload(modifiedAt: WS1Fixture.day(day), csv: .init(rows: 30, seed: day)) }
            var baseline = 0
            try await FaultScenario.recovers(h, fault.testDescription, resetJournals: {
                emulator.journal.reset()
                emulator.tokenEndpoint.journal.reset()
                emulator.storage.journal.reset()
                baseline = emulator.tokenEndpoint.tokensIssued
            }, inject: {
                switch fault {
                case .revokedToken: emulator.faults.failRequest(2, status: 401)
                case .status(let s): emulator.faults.failRequest(2, status: s, retryAfter: fault.retryAfter)
                case .tokenEndpoint(let s): emulator.tokenEndpoint.faults.failRequest(1, status: s)
                case .download(let s): emulator.faults.failRequest(3, status: s)
                case .storage(let s): emulator.storage.faults.failRequest(1, status: s)
                case .expiredToken: Issue.record("not a WS1 fault")
                }
            }, served: {
                switch fault {
                case .revokedToken:
                    emulator.journal.count(status: 401) == 1 && emulator.tokenEndpoint.tokensIssued == baseline + 2
                case .status(let s), .download(let s): emulator.journal.count(status: s) == 1
                case .tokenEndpoint(let s): emulator.tokenEndpoint.journal.count(status: s) == 1
                case .storage(let s): emulator.storage.journal.count(status: s) == 1
                case .expiredToken: false
                }
            })
            // The redirect to storage (another host) never carried the API token.
            #expect(emulator.storage.requestsWithAuthorization == 0)
        }
    }

    /// Feed request 3 is page 3 of 5. The feed's token is static: a revoked one cannot be recovered (it fails,
    /// which `CursorFeedEndToEndTests` covers).
    @Test(arguments: TransientFault.statuses)
    func cursorFeed(_ fault: TransientFault) async throws {
        try await FaultHarness.cursorFeed { feed, h in
            try await FaultScenario.recovers(h, fault.testDescription, resetJournals: { feed.journal.reset() }, inject: {
                if case .status(let s) = fault { feed.faults.failRequest(3, status: s, retryAfter: fault.retryAfter) }
            }, served: {
                if case .status(let s) = fault { return feed.journal.count(status: s) == 1 }
                return false
            })
        }
    }
}
