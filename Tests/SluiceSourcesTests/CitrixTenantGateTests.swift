import SluiceSources
import Testing

/// One Monitor call per tenant at a time, across every job of the process.
@Suite struct CitrixTenantGateTests {
    @Test func everyJobOfACustomerSharesOneGate() async {
        let a = CitrixTenantGate.shared(for: "gate-test-customer")
        let b = CitrixTenantGate.shared(for: "gate-test-customer")
        let other = CitrixTenantGate.shared(for: "gate-test-other")
        #expect(a === b)
        #expect(a !== other)
    }

    @Test func turnsNeverOverlapAndAllRun() async throws {
        let gate = CitrixTenantGate()
        let counters = Counters()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<40 {
                group.addTask {
                    try await gate.withTurn {
                        await counters.enter()
                        await Task.yield()
                        try await Task.sleep(for: .milliseconds(1))
                        await counters.leave()
                    }
                }
            }
            try await group.waitForAll()
        }
        let (running, most, done) = await (counters.running, counters.most, counters.done)
        #expect(most == 1 && done == 40 && running == 0)
        #expect(await gate.turns == 40)
    }

    @Test func aFailingTurnReleasesTheGate() async throws {
        struct Boom: Error {}
        let gate = CitrixTenantGate()
        await #expect(throws: Boom.self) { try await gate.withTurn { throw Boom() } }
        let value = try await gate.withTurn { 7 }
        #expect(value == 7)
    }
}

/// Counts how many turns run at once.
private actor Counters {
    var running = 0
    var most = 0
    var done = 0

    func enter() {
        running += 1
        most = max(most, running)
    }

    func leave() {
        running -= 1
        done += 1
    }
}
