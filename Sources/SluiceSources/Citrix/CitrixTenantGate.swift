import Synchronization

/// Lets one Monitor request per Citrix customer run at a time, across every job in the process.
///
/// The service answers a second concurrent call for the same tenant with 429, so
/// every Monitor request (including `$metadata`, excluding the token call, which goes to another service)
/// takes its turn here. Turns are granted first come, first served.
package actor CitrixTenantGate {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// How many requests have passed through the gate (tests use it to prove sharing).
    package private(set) var turns = 0

    package init() {}

    /// The gate for `customerID`, shared by every job of the process.
    package static func shared(for customerID: String) -> CitrixTenantGate {
        registry.withLock { gates in
            if let gate = gates[customerID] { return gate }
            let gate = CitrixTenantGate()
            gates[customerID] = gate
            return gate
        }
    }

    private static let registry = Mutex<[String: CitrixTenantGate]>([:])

    /// Runs `body` once no other turn of this tenant is running, and ends the turn however `body` ends.
    package nonisolated func withTurn<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        do {
            let result = try await body()
            await release()
            return result
        } catch {
            await release()
            throw error
        }
    }

    private func acquire() async {
        turns += 1
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty {
            busy = false
        } else {
            // The turn passes straight to the next waiter: `busy` stays true, so nobody can slip in between.
            waiting.removeFirst().resume()
        }
    }
}
