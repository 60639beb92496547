package import SluiceCore

/// What kind of file system holds the warehouse folder, from the `f_type` magic number `statfs(2)` reports.
/// Pure: the number is a value.
///
/// SQLite's WAL mode needs shared memory between the processes using the file, and its locks are unreliable
/// over network file systems: "WAL does not work over a network filesystem", and SMB/NFS locking can corrupt
/// the file. The live warehouse must therefore be on a local disk; readers on a share get `--publish`'s copy.
package struct FileSystemKind: Sendable, Hashable {
    /// `ext4`, `nfs`, `cifs`, or `0x1234abcd` for a type this list does not know.
    package var name: String
    package var locality: Locality

    /// Whether SQLite's WAL and locking can be trusted there.
    package enum Locality: Sendable, Hashable {
        /// A local disk file system (or memory): fine.
        case local
        /// NFS, SMB/CIFS, AFS, Ceph, 9P, …: never for the live warehouse.
        case network
        /// FUSE: sshfs and s3fs are network file systems, others are local; doctor cannot tell.
        case userSpace
        /// A type this list does not know; taken for local.
        case unknown
    }

    package init(name: String, locality: Locality) {
        self.name = name
        self.locality = locality
    }

    /// The kind for a `statfs` `f_type` value.
    package static func classify(magic: UInt64) -> FileSystemKind {
        let magic = magic & 0xFFFF_FFFF
        if let name = network[magic] { return FileSystemKind(name: name, locality: .network) }
        if magic == 0x6573_5546 { return FileSystemKind(name: "fuse", locality: .userSpace) }
        if let name = local[magic] { return FileSystemKind(name: name, locality: .local) }
        return FileSystemKind(name: "0x" + String(magic, radix: 16), locality: .unknown)
    }

    /// Network and cluster file systems (linux/magic.h, statfs(2)).
    static let network: [UInt64: String] = [
        0x6969: "nfs",
        0x517B: "smb",
        0xFF53_4D42: "cifs",
        0xFE53_4D42: "smb2",
        0x5346_414F: "afs",
        0x6B41_4653: "afs",
        0x00C3_6400: "ceph",
        0x7375_7245: "coda",
        0x564C: "ncp",
        0x0102_1997: "9p",
        0x0BD0_0BD0: "lustre",
        0x7461_636F: "ocfs2",
        0x0116_1970: "gfs2",
    ]

    /// Local file systems worth naming.
    static let local: [UInt64: String] = [
        0xEF53: "ext4",
        0x5846_5342: "xfs",
        0x9123_683E: "btrfs",
        0x2FC1_2FC1: "zfs",
        0xF2F5_2010: "f2fs",
        0x0102_1994: "tmpfs",
        0x794C_7630: "overlay",
        0x4D44: "vfat",
        0x2011_BAB0: "exfat",
        0x5346_544E: "ntfs",
        0x7366_746E: "ntfs3",
        0x5265_4973: "reiserfs",
        0x3434: "nilfs2",
        0x2466_4B5B: "bcachefs",
    ]

    /// The `file system` check for the warehouse folder `folder`.
    package func check(folder: String) -> DoctorCheck {
        switch locality {
        case .local:
            return .pass("file system", "\(name), a local file system")
        case .unknown:
            return .pass("file system", "\(name) (not a network file system this check knows)")
        case .network:
            return .fail("file system", "\(folder) is on \(name), a network file system: SQLite's WAL mode and locks "
                             + "do not work there, and the file can be corrupted",
                         fix: "keep the warehouse on a local disk, and give readers on the share a copy with "
                             + "sluice daemon --publish /path/on/the/share/warehouse.db")
        case .userSpace:
            return .warn("file system", "\(folder) is on a FUSE file system: if it is remote (sshfs, s3fs, …), "
                             + "SQLite's WAL mode and locks do not work there",
                         fix: "keep the warehouse on a local disk; readers on a share get sluice daemon --publish's copy")
        }
    }
}
