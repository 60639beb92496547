import SluiceCore
import SluiceWire
@testable import SluiceSources
import Testing

/// Pure parts of the Citrix Monitor source: windows, filters, entity defaults, pages. No I/O.
@Suite struct CitrixPlanningTests {
    let hour = 3600.0
    let day = 86_400.0
    /// 2024-08-06T07:00:00Z
    let now = 1_722_927_600.0

    @Test func theFirstRunReadsTheInitialLookbackInWindowSizedPieces() {
        let windows = CitrixWindowPlanner.live(watermark: nil, now: now, lookback: hour, initialLookback: 3 * day,
                                               window: day)
        #expect(windows.count == 3)
        #expect(windows.first?.from == Int64(now - 3 * day) && windows.last?.to == Int64(now))
        #expect(zip(windows, windows.dropFirst()).allSatisfy { $0.to == $1.from })
        #expect(windows.allSatisfy { $0.to - $0.from <= Int64(day) })
    }

    @Test func laterRunsStartAtTheWatermarkMinusTheLookback() {
        let watermark = now - 2 * hour + 0.72
        let windows = CitrixWindowPlanner.live(watermark: watermark, now: now, lookback: hour, initialLookback: 7 * day,
                                               window: day)
        #expect(windows == [CitrixWindow(from: Int64(now - 3 * hour), to: Int64(now))])
    }

    @Test func aLongGapIsSplitAndTheLastPieceIsShorter() {
        let windows = CitrixWindowPlanner.split(from: 0, to: 25 * 3600, window: 12 * hour)
        #expect(windows.map { $0.to - $0.from } == [43_200, 43_200, 3600])
    }

    @Test func nothingIsPlannedWhenTheStartIsNotBeforeNow() {
        #expect(CitrixWindowPlanner.live(watermark: now + 2 * hour, now: now, lookback: hour, initialLookback: day,
                                         window: day).isEmpty)
    }

    @Test func aBackfillCoversWholeUTCDays() throws {
        let days = try #require(DayRange(from: "2024-08-01", to: "2024-08-02"))
        let windows = CitrixWindowPlanner.backfill(days, window: day)
        #expect(windows.map(\.description) == ["2024-08-01T00:00:00Z..2024-08-02T00:00:00Z",
                                               "2024-08-02T00:00:00Z..2024-08-03T00:00:00Z"])
    }

    @Test func theFilterUsesUnquotedUTCLiteralsAndAHalfOpenRange() {
        let window = CitrixWindow(from: Int64(now), to: Int64(now + 600))
        #expect(CitrixQuery.filter(cursor: "ModifiedDate", window: window)
                == "ModifiedDate ge 2024-08-06T07:00:00Z and ModifiedDate lt 2024-08-06T07:10:00Z")
        let url = CitrixQuery.url(apiBase: "https://api.cloud.com/monitorodata/", entity: "Sessions",
                                  cursor: "ModifiedDate", window: window)
        #expect(url == "https://api.cloud.com/monitorodata/Sessions?$filter=ModifiedDate%20ge%202024-08-06T07%3A00%3A00Z"
                + "%20and%20ModifiedDate%20lt%202024-08-06T07%3A10%3A00Z&$orderby=ModifiedDate%20asc")
        #expect(CitrixQuery.url(apiBase: "https://h/monitorodata", entity: "Machines", cursor: nil, window: nil)
                == "https://h/monitorodata/Machines")
        #expect(CitrixQuery.metadataURL(apiBase: "https://h/monitorodata") == "https://h/monitorodata/$metadata")
    }

    // MARK: - Entity defaults

    func settings(_ entities: [CitrixEntity]) -> CitrixSettings {
        CitrixSettings(customerID: .env("C"), clientID: .env("I"), clientSecret: .env("S"), entities: entities)
    }

    @Test func builtInDefaultsGiveKeyCursorAndTable() throws {
        let plans = try CitrixEntityDefaults.plans(
            for: settings([.init(name: "Sessions"), .init(name: "Machines"), .init(name: "SessionMetrics"),
                           .init(name: "LogOnSummaries"), .init(name: "ResourceUtilizationSummary")]),
            target: TargetSettings(), job: "j")
        #expect(plans[0] == CitrixEntityPlan(name: "Sessions", key: ["SessionKey"], cursor: "ModifiedDate",
                                             table: "citrix_sessions"))
        #expect(plans[1] == CitrixEntityPlan(name: "Machines", key: ["Id"], cursor: nil, table: "citrix_machines"))
        #expect(plans[2] == CitrixEntityPlan(name: "SessionMetrics", key: ["Id"], cursor: "CollectedDate",
                                             table: "citrix_session_metrics"))
        // Unconfirmed keys are left to $metadata.
        #expect(plans[3] == CitrixEntityPlan(name: "LogOnSummaries", key: [], cursor: "SummaryDate",
                                             table: "citrix_log_on_summaries"))
        #expect(plans[4].key == ["MachineId", "Granularity", "SummaryDate", "DesktopGroupId"])
    }

    @Test func eachEntityMayOverrideKeyCursorAndTable() throws {
        let plans = try CitrixEntityDefaults.plans(
            for: settings([.init(name: "Sessions", key: ["Id"], cursor: "CreatedDate", table: "s"),
                           .init(name: "Custom")]),
            target: TargetSettings(), job: "j")
        #expect(plans[0] == CitrixEntityPlan(name: "Sessions", key: ["Id"], cursor: "CreatedDate", table: "s"))
        #expect(plans[1] == CitrixEntityPlan(name: "Custom", key: [], cursor: nil, table: "citrix_custom"))
    }

    @Test func aSingleEntityJobMayUseTheTargetBlockButSeveralMayNot() throws {
        let one = try CitrixEntityDefaults.plans(for: settings([.init(name: "Users")]),
                                                 target: TargetSettings(table: "people", primaryKey: ["Sid"]), job: "j")
        #expect(one == [CitrixEntityPlan(name: "Users", key: ["Sid"], cursor: "ModifiedDate", table: "people")])
        #expect(throws: SluiceError.self) {
            try CitrixEntityDefaults.plans(for: settings([.init(name: "Users"), .init(name: "Sessions")]),
                                           target: TargetSettings(table: "people"), job: "j")
        }
        #expect(throws: SluiceError.self) {
            try CitrixEntityDefaults.plans(for: settings([.init(name: "Users")]), target: TargetSettings(mode: .replace),
                                           job: "j")
        }
    }

    @Test func entitySetNamesBecomeSnakeCaseTables() {
        #expect(CitrixEntityDefaults.snakeCase("Sessions") == "sessions")
        #expect(CitrixEntityDefaults.snakeCase("SessionMetrics") == "session_metrics")
        #expect(CitrixEntityDefaults.snakeCase("DesktopOSDesktopSummaries") == "desktop_os_desktop_summaries")
        #expect(CitrixEntityDefaults.snakeCase("MachineMetric") == "machine_metric")
    }

    // MARK: - Pages

    @Test func nextLinkIsFoundWhateverItsCase() throws {
        let page = try CitrixPage.parse(Array(#"{"value":[{"Id":1}],"@OData.NextLink":"https://h/x?$skiptoken=1"}"#.utf8),
                                        step: "page 1 of X")
        #expect(page.rows.count == 1 && page.nextLink == "https://h/x?$skiptoken=1")
        let last = try CitrixPage.parse(Array(#"{"@odata.context":"c","value":[]}"#.utf8), step: "p")
        #expect(last.nextLink == nil)
    }

    @Test func anODataErrorBodyFailsWithCodeAndMessageEvenWithoutAnErrorStatus() {
        let body = Array(#"{"error":{"code":"InternalError","message":"query timed out"}}"#.utf8)
        #expect {
            _ = try CitrixPage.parse(body, step: "page 3 of Sessions")
        } throws: { error in
            let e = error as? SluiceError
            return e?.step == "page 3 of Sessions" && e?.message.contains("InternalError: query timed out") == true
        }
    }

    @Test func malformedJSONNamesTheStep() {
        #expect {
            _ = try CitrixPage.parse(Array(#"{"value":[{"Id":1},"#.utf8), step: "page 2 of Users")
        } throws: { error in
            (error as? SluiceError).map { $0.step == "page 2 of Users" && $0.message.contains("malformed JSON") } ?? false
        }
    }
}
