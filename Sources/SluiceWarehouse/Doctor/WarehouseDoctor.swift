import CSluiceSystem
import Foundation
package import SluiceCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The warehouse part of `sluice doctor`: its folder (writable, WAL possible, a local file system, room to
/// grow) and, when the file exists, whether Power BI gets every column typed through the SQLite3 ODBC driver.
///
/// Doctor never writes to the warehouse and never creates it: writability and WAL are proven on a scratch
/// database beside it (`.sluice-doctor-<pid>-<n>.db`, removed again), and the warehouse itself is opened
/// read-only, as `sluice status` does.
package enum WarehouseDoctor {
    /// The checklist of the warehouse at `path`; `now` is seconds since the epoch (for "the last 7 days").
    package static func examine(path: String, now: Double) -> DoctorSection {
        var section = DoctorSection(kind: .warehouse, title: path, checks: [])
        let folder = FileSafety.folder(of: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            section.checks = [.fail("folder", "\(folder) does not exist",
                                    fix: "create it (mkdir -p \(folder)) for the user sluice runs as, or give --warehouse "
                                        + "a path in an existing folder (the service's StateDirectory=sluice makes "
                                        + "/var/lib/sluice at its first start)")]
            return section
        }
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        if exists, isDirectory.boolValue {
            section.checks = [.fail("warehouse", "\(path) is a folder, not a file",
                                    fix: "give --warehouse the path of the database file, e.g. \(path)/warehouse.db")]
            return section
        }
        section.checks += folderChecks(folder: folder, warehouse: exists ? path : nil)
        if let kind = fileSystem(of: folder) { section.checks.append(kind.check(folder: folder)) }

        var growth: RunGrowth?
        var catalog: WarehouseCatalog?
        if exists {
            do {
                let inspector = try WarehouseInspector(path: path)
                growth = try inspector.growth(now: now)
                catalog = try inspector.catalog()
            } catch {
                section.checks.append(.fail("warehouse", "\(path) cannot be read: \(error)",
                                            fix: "check that it is a Sluice warehouse and readable by this user"))
            }
        }
        if let free = freeBytes(folder) {
            section.checks.append(DiskHeadroom.check(freeBytes: free, growth: growth, folder: folder))
        } else {
            section.checks.append(.warn("disk space", "statvfs(\(folder)) failed: \(String(cString: strerror(errno)))"))
        }
        if let catalog {
            section.checks += ODBCTypingLint.checks(catalog)
        } else if !exists {
            section.checks.append(.pass("ODBC typing", "no warehouse yet: the first run creates it with ODBC-safe types"))
        }
        return section
    }

    /// `folder` (a scratch file can be created there), `WAL` (a scratch database switches to WAL) and, for an
    /// existing warehouse, whether this user may write it and its `-wal`/`-shm` files.
    static func folderChecks(folder: String, warehouse: String?) -> [DoctorCheck] {
        let scratch = folder + "/.sluice-doctor-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).db"
        defer { for suffix in ["", "-wal", "-shm", "-journal"] { unlink(scratch + suffix) } }
        let fd = open(scratch, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(0o600))
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            return [.fail("folder", "cannot create files in \(folder): \(reason)",
                          fix: "let the user sluice runs as write \(folder) (chown/chmod), or give --warehouse a folder "
                              + "it can write (the service's StateDirectory=sluice is /var/lib/sluice)")]
        }
        close(fd)
        var checks: [DoctorCheck] = []
        if let warehouse {
            let locked = [warehouse, warehouse + "-wal", warehouse + "-shm"].filter {
                FileManager.default.fileExists(atPath: $0) && access($0, W_OK) != 0
            }
            checks.append(locked.isEmpty
                ? .pass("folder", "\(folder) is writable, and so is the warehouse file")
                : .fail("folder", "this user cannot write \(locked.joined(separator: ", "))",
                        fix: "run sluice as the user that owns the warehouse, or chown the files to it"))
        } else {
            checks.append(.pass("folder", "\(folder) is writable (the warehouse is created on the first run)"))
        }
        do {
            let db = try SQLiteDatabase(path: scratch)
            try db.execute("CREATE TABLE doctor(x BIGINT); INSERT INTO doctor VALUES (1); PRAGMA wal_checkpoint(TRUNCATE);")
            db.close()
            checks.append(.pass("WAL", "a scratch database in \(folder) runs in WAL mode"))
        } catch {
            checks.append(.fail("WAL", "a scratch database in \(folder) cannot use WAL mode: \(error)",
                                fix: "keep the warehouse on a local disk; readers on a share get sluice daemon --publish's copy"))
        }
        return checks
    }

    /// The file system holding `folder`, by `statfs`.
    static func fileSystem(of folder: String) -> FileSystemKind? {
        var magic: UInt64 = 0
        guard sluice_statfs_type(folder, &magic) == 0 else { return nil }
        return FileSystemKind.classify(magic: magic)
    }

    /// Bytes an unprivileged user may still write in `folder`, by `statvfs`.
    static func freeBytes(_ folder: String) -> Int64? {
        var info = statvfs()
        guard statvfs(folder, &info) == 0 else { return nil }
        return Int64(clamping: UInt64(info.f_bavail) &* UInt64(info.f_frsize))
    }
}
