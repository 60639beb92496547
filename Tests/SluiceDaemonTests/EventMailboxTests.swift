import Testing
@testable import SluiceDaemon

/// The scheduler loop's event queue.
@Suite("event mailbox")
struct EventMailboxTests {
    @Test func eventsPostedBeforeWaitingAreDeliveredInOrder() async {
        let mailbox = EventMailbox<Int>()
        mailbox.post(1)
        mailbox.post(2)
        #expect(await mailbox.next() == 1)
        #expect(await mailbox.next() == 2)
    }

    @Test func aCancelledWaitReturnsNilAndLosesNothingPostedLater() async {
        let mailbox = EventMailbox<Int>()
        let cancelled = await withTaskGroup(of: Int?.self) { group in
            group.addTask { await mailbox.next() }
            group.cancelAll()
            return await group.next() ?? nil
        }
        #expect(cancelled == nil)
        mailbox.post(7)
        #expect(await mailbox.next() == 7)
    }

    @Test func aWaitingConsumerReceivesAnEventPostedLater() async {
        let mailbox = EventMailbox<String>()
        await withTaskGroup(of: String?.self) { group in
            group.addTask { await mailbox.next() }
            group.addTask {
                mailbox.post("finished")
                return nil
            }
            var received: [String] = []
            for await value in group { if let value { received.append(value) } }
            #expect(received == ["finished"])
        }
    }
}
