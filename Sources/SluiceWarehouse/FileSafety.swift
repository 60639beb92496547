#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// File-system checks that go by what a path *is* (device and inode), not by how it is spelled.
package enum FileSafety {
    /// Why `publish` must not be used as the publish destination of the warehouse at `warehouse`, or nil when
    /// it may.
    ///
    /// `D/./w.db`, `D//w.db`, a folder reached through a symbolic link, or a link to the warehouse itself all
    /// name the live file; publishing there would rename the read-only copy over the warehouse. The paths are
    /// compared by device and inode: of the files when both exist, and of their folders plus the last path
    /// component otherwise (which also covers the warehouse's `-wal`, `-shm` and `-journal` files).
    package static func publishConflict(publish: String, warehouse: String) -> String? {
        if let a = identity(of: publish), let b = identity(of: warehouse), a == b {
            return "--publish \(publish) is the warehouse \(warehouse) itself (the same file on disk)"
        }
        guard let publishEntry = entry(publish), let warehouseEntry = entry(warehouse),
              publishEntry.folder == warehouseEntry.folder else { return nil }
        for suffix in ["", "-wal", "-shm", "-journal"] where publishEntry.name == warehouseEntry.name + suffix {
            return suffix.isEmpty
                ? "--publish \(publish) names the warehouse \(warehouse) (the same folder and file name)"
                : "--publish \(publish) names the warehouse's own \(suffix) file"
        }
        return nil
    }

    /// Why the folder holding `path` is risky for the warehouse (group- or world-writable), or nil.
    package static func folderWarning(forWarehouse path: String) -> String? {
        var info = stat()
        guard stat(folder(of: path), &info) == 0 else { return nil }
        let mode = info.st_mode
        let sticky = mode & S_ISVTX != 0
        if mode & S_IWOTH != 0 {
            return "the warehouse folder \(folder(of: path)) is writable by every user\(sticky ? " (sticky)" : ""): "
                + "anyone on this machine can replace or link files beside the warehouse; keep it in a folder only "
                + "Sluice's user can write (the service uses /var/lib/sluice)"
        }
        if mode & S_IWGRP != 0 {
            return "the warehouse folder \(folder(of: path)) is writable by its group: members can replace or link "
                + "files beside the warehouse; keep it in a folder only Sluice's user can write"
        }
        return nil
    }

    /// The folder part of `path` (`.` for a bare file name, `/` for a file at the root).
    package static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let folder = String(path[..<slash])
        return folder.isEmpty ? "/" : folder
    }

    /// The last path component.
    package static func name(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    struct Identity: Equatable {
        var device: UInt64
        var inode: UInt64
    }

    /// Device and inode of what `path` names, following symbolic links; nil when it does not exist.
    static func identity(of path: String) -> Identity? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    /// The folder's identity and the last component, with `.` components and repeated slashes gone.
    private static func entry(_ path: String) -> (folder: Identity, name: String)? {
        var components = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        while components.last == "." { components.removeLast() }
        guard let name = components.popLast(), name != ".." else { return nil }
        let folderPath = (path.hasPrefix("/") ? "/" : "") + components.joined(separator: "/")
        guard let folder = identity(of: folderPath.isEmpty ? "." : folderPath) else { return nil }
        return (folder, name)
    }
}
