import Testing
@testable import SluiceCore

/// Values from a job file or a server that used to trap (a Swift trap kills the whole daemon): each must now
/// become a clear error, or a bounded value.
@Suite struct HostileValueTests {
    @Test(arguments: [
        ("http:\n  timeout: 100000000000000000000d", "http.timeout"),
        ("jitter: " + String(repeating: "9", count: 400) + "s", "jitter"),
        ("max_run_time: 99999999999d", "max_run_time"),
        ("schedule: every 1000000000000d", "schedule"),
    ])
    func anAbsurdDurationIsAValidationError(_ line: String, _ key: String) {
        let yaml = line.hasPrefix("schedule") ? minimalJob.replacingAll("schedule: every 1h", with: line)
                                               : minimalJob + "\n" + line
        let found = problems(yaml)
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.message.contains(key) == true, "\(found)")
        #expect(found.first.map { $0.message.contains("too long") || $0.message.contains("not a duration") } == true, "\(found)")
    }

    @Test func sourceDurationsHaveUpperBounds() {
        let citrix = """
            schedule: every 1h
            source:
              type: citrix-monitor
              customer_id: { env: C }
              client_id: { env: I }
              client_secret: { env: S }
              entities: [Sessions]
              initial_lookback: 100000d
              lookback: 99999999999999999999s
              window: 0.001s
            """
        let messages = problems(citrix).map(\.message)
        #expect(messages.contains { $0.contains("initial_lookback") && $0.contains("too long") }, "\(messages)")
        #expect(messages.contains { $0.contains("lookback") && $0.contains("too long") }, "\(messages)")
        #expect(messages.contains { $0.contains("window must be at least 1s") }, "\(messages)")
    }

    @Test func durationTextIsNeverInfinite() {
        #expect(DurationText.seconds(String(repeating: "9", count: 400)) == nil)
        #expect(DurationText.seconds(String(repeating: "9", count: 400) + "d") == nil)
        #expect(DurationText.format(.infinity) == "forever")
        #expect(DurationText.format(1e300) == "forever")
    }

    @Test func theRunDeadlineAndTransferRateAreRead() throws {
        let job = try JobFileDecoder.decode(yaml: minimalJob + "\nmax_run_time: 2h\nhttp:\n  min_transfer_rate: 10KiB/30s",
                                            file: "jobs/feed.yaml")
        #expect(job.maxRunSeconds == 7200)
        #expect(job.http.minTransferRate == TransferRate(bytes: 10_240, perSeconds: 30))
        let defaults = try JobFileDecoder.decode(yaml: minimalJob, file: "jobs/feed.yaml")
        #expect(defaults.maxRunSeconds == 12 * 3600)
        #expect(defaults.http.minTransferRate == TransferRate(bytes: 1000, perSeconds: 60))
        #expect(onlyProblem(minimalJob + "\nhttp:\n  min_transfer_rate: fast")?.message.contains("size/duration") == true)
    }

    @Test func timestampsOfAnyInstantFormatWithoutTrapping() {
        #expect(Timestamps.format(epochSeconds: .infinity) == "9999-12-31 23:59:59.999")
        #expect(Timestamps.format(epochSeconds: -.infinity) == "0001-01-01 00:00:00")
        #expect(Timestamps.format(epochSeconds: .nan) == "1970-01-01 00:00:00")
        #expect(Timestamps.format(epochSeconds: 1e300) == "9999-12-31 23:59:59.999")
    }

    @Test func aPackedBatchPastItsTextLimitIsFlaggedNotTrapped() {
        var rows = PackedRows(columnCount: 1, maxTextBytes: 10)
        var text = "0123456789"
        text.withUTF8 { rows.appendText($0) }
        rows.endRow()
        #expect(!rows.overflowed)
        text.withUTF8 { rows.appendText($0) }
        rows.endRow()
        #expect(rows.overflowed)
        #expect(rows.textByteCount == 10)
    }

    @Test func aRecordThatNeverEndsFailsAtTheCap() throws {
        var parser = CSVStreamParser(maxRecordBytes: 1024)
        var records = 0
        let header = Array("id,note\n1,\"".utf8)
        try parser.feed(header) { _ in records += 1 }
        let junk = [UInt8](repeating: UInt8(ascii: "x"), count: 600)
        try parser.feed(junk) { _ in records += 1 }
        #expect(throws: CSVParseError(record: 2, reason: "the record is longer than 1 KiB (a quoted field that never closes?)")) {
            try parser.feed(junk) { _ in records += 1 }
        }
        #expect(records == 1)
    }

    @Test func aRecordWithTooManyFieldsFails() {
        var parser = CSVStreamParser(maxFields: 8)
        let line = Array((String(repeating: "a,", count: 20) + "a\n").utf8)
        #expect(throws: CSVParseError(record: 1, reason: "the record has more than 8 fields")) {
            try parser.feed(line) { _ in }
        }
    }

    @Test func aPageOfTinyObjectsIsRefusedBeforeItTakesGigabytes() {
        // 1 MiB of `{"a":1},` is ~130,000 objects; at a 4 MiB budget it must be refused, not parsed.
        var page = Array("[".utf8)
        for _ in 0..<130_000 { page += Array(#"{"a":1},"#.utf8) }
        page[page.count - 1] = UInt8(ascii: "]")
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(page, memoryLimit: 4 * 1_048_576) }
        #expect((try? JSONParser.parse(page)) != nil)  // the default budget takes an ordinary page of that size
        do {
            _ = try JSONParser.parse(page, memoryLimit: 4 * 1_048_576)
        } catch {
            #expect(error.reason.contains("more than 4 MiB in memory"))
        }
    }

    @Test func thirtyThousandEqualNamesAreMadeUniqueInLinearTime() {
        let names = Array(repeating: "Name", count: 30_000) + ["Name (2)"]
        let unique = Column.uniqueSourceNames(names)
        #expect(Set(unique).count == unique.count)
        #expect(unique[0] == "Name" && unique[1] == "Name (2)" && unique[2] == "Name (3)")
        #expect(unique.last == "Name (2) (2)")
    }
}
