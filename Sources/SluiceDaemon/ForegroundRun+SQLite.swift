package import Logging
package import SluiceCore

extension ForegroundRun {
    /// Opens a warehouse with `open`, runs `jobs` in it with file locks beside `lockPath`, and closes it again.
    package static func execute(_ jobs: [JobDefinition], trigger: RunTrigger, backfill: DayRange? = nil,
                               gapsOnly: Bool = false, opening open: () throws -> any Warehouse, lockPath: String, secrets: SecretResolver,
                               logger: Logger, maxConcurrent: Int = 4,
                               onProgress: (@Sendable (RunProgress) -> Void)? = nil) async throws -> [RunReport] {
        let warehouse = try open()
        let run = ForegroundRun(warehouse: warehouse, locks: FileJobLocks(warehousePath: lockPath), secrets: secrets,
                                logger: logger, maxConcurrent: maxConcurrent, onProgress: onProgress)
        do {
            let reports = try await run.execute(jobs, trigger: trigger, backfill: backfill, gapsOnly: gapsOnly)
            await warehouse.close()
            return reports
        } catch {
            await warehouse.close()
            throw error
        }
    }
}
