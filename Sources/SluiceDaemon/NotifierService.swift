import ServiceLifecycle

/// Tells systemd that the daemon is ready and, on shutdown, that it is stopping.
///
/// It is the last service of the group, so on SIGTERM it hears of the graceful shutdown first and sends
/// `STOPPING=1` before the scheduler starts draining its runs. `STATUS=` and `WATCHDOG=1` come from the
/// scheduler loop itself (see ``SchedulerService``).
package struct NotifierService: Service {
    let notifier: SystemdNotifier

    package init(notifier: SystemdNotifier) {
        self.notifier = notifier
    }

    package func run() async throws {
        // Built only after the warehouse is open and every job file validated: that is "ready".
        notifier.send(.ready)
        do {
            try await gracefulShutdown()
        } catch {
            // Cancelled without a graceful shutdown (another service failed): still say we are stopping.
        }
        notifier.send(.stopping, .status("stopping"))
    }
}
