import Foundation
import SluiceCore
import SluiceEmulators

extension DemoPart {
    /// WS1 Intelligence: five list entries in no particular order (two not COMPLETED); the newest completed one,
    /// 2,000 device rows with multi-line notes and WS1 dates, is loaded as a snapshot.
    ///
    /// The storage emulator runs on its own port, which is another origin, so the download still redirects
    /// across hosts and `Authorization` is dropped (the tests use a separate address, 127.0.0.2).
    static func ws1() -> DemoPart {
        let secret = "demo-ws1-" + UUID().uuidString
        Redactor.shared.register(secret)
        let clientID = "sluice-demo@tenant.data.workspaceone.com"
        let ws1 = WS1Emulator(.init(reportID: "375c49a4-8af5-4e5e-96b4-d6b015828a33", clientID: clientID, clientSecret: secret))
        let now = Date()
        ws1.addDownload(modifiedAt: now.addingTimeInterval(-3 * 86_400), csv: .init(rows: 1_900, seed: 1))
        ws1.addDownload(modifiedAt: now.addingTimeInterval(-3_600), csv: .init(rows: 2_000, seed: 2, byteOrderMark: true))
        ws1.addDownload(modifiedAt: now.addingTimeInterval(-2 * 86_400), csv: .init(rows: 1_950, seed: 3))
        ws1.addDownload(status: "PENDING", modifiedAt: now, csv: .init(rows: 10))
        ws1.addDownload(status: "FAILED", modifiedAt: now.addingTimeInterval(-600), csv: .init(rows: 10))
        return DemoPart(
            emulators: [ws1, ws1.storage],
            jobFiles: [("demo-ws1.yaml", demoWS1YAML)],
            templateOrigins: ["http://127.0.0.1:18404", nil],
            secrets: ["demo_ws1_client_id": clientID, "demo_ws1_client_secret": secret],
            onListening: { urls in ws1.setStorageURL(urls[1]) },
            exampleQuery: "SELECT platform_os, count(*) FROM demo_ws1_devices_latest GROUP BY 1 ORDER BY 2 DESC;")
    }

    /// `jobs/demo/demo-ws1.yaml`, byte for byte (a test keeps the two in step).
    static let demoWS1YAML = """
    # Demo job for `sluice demo`: the Workspace ONE Intelligence emulator (reports API plus signed-URL storage).
    # Valid as it stands; `sluice demo` writes a copy with the emulator's address in place of
    # http://127.0.0.1:18404 and its own secrets folder in place of /etc/sluice/credentials/.
    schedule: "every 1h"
    target:
      table: demo_ws1_devices
      mode: snapshot
      keep_snapshots: 30
    source:
      type: ws1-intelligence
      api_base: "http://127.0.0.1:18404"
      token_url: "http://127.0.0.1:18404/oauth/token"
      api_version: v2
      report_id: 375c49a4-8af5-4e5e-96b4-d6b015828a33
      client_id: { file: /etc/sluice/credentials/demo_ws1_client_id }
      client_secret: { file: /etc/sluice/credentials/demo_ws1_client_secret }

    """
}
