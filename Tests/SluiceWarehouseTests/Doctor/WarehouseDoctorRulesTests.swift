import SluiceCore
import Testing
@testable import SluiceWarehouse

/// The warehouse checks' decisions as plain values: file system kinds, disk headroom, ODBC typing.
@Suite struct WarehouseDoctorRulesTests {
    @Test(arguments: [(UInt64(0x6969), "nfs"), (0x517B, "smb"), (0xFF53_4D42, "cifs"), (0xFE53_4D42, "smb2")])
    func networkFileSystemsFailWithThePublishFix(_ magic: UInt64, _ name: String) {
        let kind = FileSystemKind.classify(magic: magic)
        #expect(kind == FileSystemKind(name: name, locality: .network))
        let check = kind.check(folder: "/srv/share")
        #expect(check.outcome == .fail && check.detail.contains(name))
        #expect(check.fix?.contains("--publish") == true)
    }

    @Test func aSignExtendedMagicIsStillRecognised() {
        // Some kernels hand f_type over as a negative 32-bit value, which widens with ones in the high half.
        #expect(FileSystemKind.classify(magic: 0xFFFF_FFFF_FF53_4D42).name == "cifs")
    }

    @Test func localFileSystemsPassFuseWarnsAndUnknownOnesPass() {
        #expect(FileSystemKind.classify(magic: 0xEF53).check(folder: "/var/lib/sluice").outcome == .pass)
        #expect(FileSystemKind.classify(magic: 0x0102_1994).name == "tmpfs")
        #expect(FileSystemKind.classify(magic: 0x6573_5546).check(folder: "/mnt/x").outcome == .warn)
        let unknown = FileSystemKind.classify(magic: 0x1234_5678)
        #expect(unknown.name == "0x12345678" && unknown.check(folder: "/x").outcome == .pass)
    }

    @Test func diskSpaceIsMeasuredAgainstTheLastRuns() {
        let gib: Int64 = 1 << 30
        let growth = RunGrowth(recentRuns: 30, recentBytes: 3 * gib, largestRunBytes: 2 * gib)
        #expect(DiskHeadroom.check(freeBytes: 3 * gib, growth: growth, folder: "/d").outcome == .fail,
                "the next large run needs twice its size")
        #expect(DiskHeadroom.check(freeBytes: 5 * gib, growth: growth, folder: "/d").outcome == .warn,
                "less than a week at the recent rate")
        let fine = DiskHeadroom.check(freeBytes: 50 * gib, growth: growth, folder: "/d")
        #expect(fine.outcome == .pass && fine.detail.contains("50 GiB free") && fine.detail.contains("30 runs"))
        #expect(DiskHeadroom.check(freeBytes: 50 * gib, growth: nil, folder: "/d").outcome == .pass)
        #expect(DiskHeadroom.check(freeBytes: gib / 2, growth: nil, folder: "/d").outcome == .warn)
    }

    @Test func onlyTheSixDriverSafeTypesPassAndIntegerOnlyForTheRunID() {
        let catalog = WarehouseCatalog(tables: [
            .init("sluice_runs", [.init("run_id", "INTEGER"), .init("job", "TEXT")]),
            .init("devices", [.init("id", "BIGINT"), .init("price", "DECIMAL(10,2)"), .init("count", "INTEGER"),
                              .init("seen", "timestamp"), .init("raw", nil), .init("ok", "BOOLEAN")]),
        ], views: [])
        let checks = ODBCTypingLint.checks(catalog)
        let types = checks[0]
        #expect(types.name == "table types" && types.outcome == .fail)
        #expect(types.detail.contains("devices.price is DECIMAL(10,2) (read as 255-character text)"))
        #expect(types.detail.contains("devices.count is INTEGER (read as a 32-bit SQL_INTEGER"))
        #expect(types.detail.contains("devices.raw is untyped"))
        #expect(!types.detail.contains("run_id") && !types.detail.contains("seen"))
        #expect(checks[1].outcome == .pass, "no views")
    }

    @Test func aViewColumnWithoutDeclaredTypeIsAnExpression() {
        let catalog = WarehouseCatalog(tables: [], views: [
            .init("devices_latest", [.init("id", "BIGINT"), .init("seen", "TIMESTAMP")]),
            .init("daily", [.init("day", nil), .init("n", nil)]),
        ])
        let views = ODBCTypingLint.checks(catalog)[1]
        #expect(views.outcome == .fail)
        #expect(views.detail == "daily.day is an expression (the driver guesses its type from the first row's value); "
                    + "daily.n is an expression (the driver guesses its type from the first row's value)")
        #expect(views.fix?.contains("Power Query or DAX") == true)
    }

    @Test func aLongListIsCut() {
        let columns = (1...8).map { WarehouseCatalog.Column("c\($0)", "VARCHAR") }
        let types = ODBCTypingLint.checks(WarehouseCatalog(tables: [.init("t", columns)], views: []))[0]
        #expect(types.detail.hasSuffix("; and 3 more"))
    }
}
