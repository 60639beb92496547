import Foundation
import SluiceTestSupport
import Synchronization
import Testing

/// One source under fault test: its job folder, how to run the binary on it, and what counts as its content.
///
/// Every run's output is kept so that `checkNoSecrets()` can grep it at the end of the test, together with the
/// warehouse files and `sluice status --json` (secrets never reach logs, the warehouse or status).
struct FaultHarness: Sendable {
    /// Source label for messages (`citrix`, `powerbi`, `ws1`, `cursor-feed`).
    let source: String
    /// The job's name (the job file's stem).
    let job: String
    let dir: TempDirectory
    let environment: [String: String]
    /// Every secret value the test configured; none may show anywhere.
    let secrets: [String]
    /// The data tables whose rows make up "the content".
    let tables: [String]
    /// The emulator's base URL, for tests that rewrite the job file.
    var url = ""
    let outputs = OutputLog()

    /// A second warehouse in the same folder, for the clean reference run.
    var cleanWarehouse: String { dir.path + "/clean.db" }

    /// Runs `sluice args… --jobs … --warehouse …` (the fault warehouse unless another is given).
    func sluice(_ args: [String], warehouse: String? = nil, timeout: Double = 90) async throws -> SluiceProcess.Result {
        let result = try await SluiceProcess.run(args + ["--jobs", dir.jobs, "--warehouse", warehouse ?? dir.warehouse],
                                                 in: dir.path, environment: environment, timeout: timeout)
        outputs.append(result.combined)
        return result
    }

    /// Starts `sluice run` without waiting (for kills).
    func startRun() throws -> SluiceProcess.Running {
        try SluiceProcess.start(["run", "--jobs", dir.jobs, "--warehouse", dir.warehouse], in: dir.path,
                                environment: environment)
    }

    func reader(_ path: String? = nil) throws -> WarehouseReader { try WarehouseReader(path ?? dir.warehouse) }

    /// Every data row of every table, sorted, without `_sluice_*` columns: what must equal a clean run's.
    func content(_ path: String? = nil) throws -> [String: [[String?]]] {
        let db = try reader(path)
        var out: [String: [[String?]]] = [:]
        for table in tables {
            out[table] = db.content(of: table, orderBy: "1").sorted { Self.key($0) < Self.key($1) }
        }
        return out
    }

    /// The job's checkpoint rows (`key`, `value`), sorted by key.
    func checkpoint(_ path: String? = nil) throws -> [[String?]] {
        try reader(path).rows("SELECT key, value FROM sluice_state WHERE job = ? ORDER BY key", [job])
    }

    /// Status and error of the newest run.
    func lastRun(_ path: String? = nil) throws -> (status: String?, error: String) {
        let row = try reader(path).rows("SELECT status, error FROM sluice_runs ORDER BY run_id DESC LIMIT 1").first
        return (row?[0] ?? nil, (row?[1] ?? nil) ?? "")
    }

    /// Deletes the fault warehouse (and its `-wal`/`-shm`).
    func removeWarehouse() {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: dir.warehouse + suffix) }
    }

    /// A clean run into `cleanWarehouse`; returns its content, the reference every faulted run must reach.
    func referenceContent() async throws -> [String: [[String?]]] {
        let clean = try await sluice(["run"], warehouse: cleanWarehouse)
        #expect(clean.exitCode == 0, "\(source) clean run: \(clean.combined)")
        return try content(cleanWarehouse)
    }

    static func key(_ row: [String?]) -> String { row.map { $0 ?? "\u{0}" }.joined(separator: "\u{1}") }
}

/// Text the binary printed during a test, collected for the secret scan.
final class OutputLog: Sendable {
    private let texts = Mutex<[String]>([])

    func append(_ text: String) { texts.withLock { $0.append(text) } }

    var all: [String] { texts.withLock { $0 } }
}
