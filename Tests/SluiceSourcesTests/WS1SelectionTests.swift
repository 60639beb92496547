import SluiceCore
import SluiceWire
import Testing
@testable import SluiceSources

/// Which download a WS1 run loads, decided without I/O; plus the column typing of CSV cells.
@Suite("WS1 download selection and typing")
struct WS1SelectionTests {
    static func d(_ id: String, _ status: String = "COMPLETED", modified: Double?, created: Double? = nil,
                  schedule: String? = nil) -> WS1Download {
        WS1Download(id: id, status: status, createdAt: created, modifiedAt: modified, reportScheduleID: schedule)
    }

    @Test func theNewestCompletedWinsWhateverTheListOrder() {
        let list = [Self.d("b", modified: 200), Self.d("pending", "PENDING", modified: 900),
                    Self.d("c", modified: 300), Self.d("a", modified: 100), Self.d("failed", "FAILED", modified: 800)]
        #expect(WS1DownloadSelection.newestCompleted(list)?.id == "c")
        #expect(WS1DownloadSelection.newestCompleted(list.reversed())?.id == "c")
        #expect(WS1DownloadSelection.newestCompleted([Self.d("p", "PENDING", modified: 1)]) == nil)
    }

    @Test func equalModifiedTimesAreDecidedByCreatedAtThenId() {
        let list = [Self.d("x", modified: 100, created: 50), Self.d("y", modified: 100, created: 60),
                    Self.d("z", modified: nil, created: 999)]
        #expect(WS1DownloadSelection.newestCompleted(list)?.id == "y")
        #expect(WS1DownloadSelection.newestCompleted([Self.d("m", modified: 5), Self.d("n", modified: 5)])?.id == "n")
    }

    @Test func aBackfillTakesCompletedNotLoadedDownloadsInRangeOldestFirst() throws {
        let range = try #require(DayRange(from: "2026-03-02", to: "2026-03-03"))
        let day = 1_772_409_600.0  // 2026-03-02T00:00:00Z
        let list = [Self.d("late", modified: day + 2 * 86_400), Self.d("second", modified: day + 86_400 + 5),
                    Self.d("first", modified: day), Self.d("loaded", modified: day + 10),
                    Self.d("failed", "FAILED", modified: day + 20), Self.d("before", modified: day - 1)]
        let picked = WS1DownloadSelection.backfill(list, range: range, loaded: ["loaded"])
        #expect(picked.map(\.id) == ["first", "second"])
    }

    @Test func aRunsEntryIsFoundByItsScheduleID() {
        let list = [Self.d("a", modified: 1, schedule: "s1"), Self.d("b", "PENDING", modified: 2, schedule: "s2")]
        #expect(WS1DownloadSelection.entry(forSchedule: "s2", in: list)?.id == "b")
        #expect(WS1DownloadSelection.entry(forSchedule: "s3", in: list) == nil)
    }

    @Test func theLoadedListIsBounded() {
        let ids = (1...5).map(String.init)
        #expect(WS1DownloadSelection.remember("3", in: ids, limit: 4) == ["2", "4", "5", "3"])
    }

    @Test func aDownloadsPageIsParsedAndPagingContinuesUntilTheTotal() throws {
        let body = Array("""
            {"data":{"offset":0,"page_size":2,"total_count":3,"results":[
             {"id":"a","status":"COMPLETED","created_at":"2022-06-03T17:28:47.146Z","modified_at":"2022-06-03T17:29:01.873Z",
              "report_schedule_id":"s"},{"id":"b","status":"PENDING"}]}}
            """.utf8)
        let page = try WS1DownloadPage.parse(body, step: "list")
        #expect(page.downloads.map(\.id) == ["a", "b"])
        #expect(page.downloads[0].producedAtText == "2022-06-03 17:29:01.873")
        #expect(page.nextOffset == 2)
        var last = page
        last.offset = 2
        #expect(last.nextOffset == nil)
    }

    @Test func columnTypesAreInferredFromTheValues() {
        #expect(CSVColumnTyping.inferType(["1", "", "-20"]) == .bigint)
        #expect(CSVColumnTyping.inferType(["1", "2.5", "1e3"]) == .double)
        #expect(CSVColumnTyping.inferType(["007", "12"]) == .text)
        #expect(CSVColumnTyping.inferType(["TRUE", "false"]) == .boolean)
        #expect(CSVColumnTyping.inferType(["2019-05-04-17:40:30 UTC", ""]) == .timestamp)
        #expect(CSVColumnTyping.inferType(["2019-05-04"]) == .date)
        #expect(CSVColumnTyping.inferType(["nan", "1"]) == .text)
        #expect(CSVColumnTyping.inferType(["", ""]) == .text)
    }

    @Test func cellsBecomeTypedValuesAndEmptyCellsNull() {
        #expect(CSVColumnTyping.value("2019-05-04-17:40:30 UTC", as: .timestamp) == .text("2019-05-04 17:40:30"))
        #expect(CSVColumnTyping.value("42", as: .bigint) == .integer(42))
        #expect(CSVColumnTyping.value("4.5", as: .double) == .double(4.5))
        #expect(CSVColumnTyping.value("True", as: .boolean) == .bool(true))
        #expect(CSVColumnTyping.value("", as: .text) == .null)
        #expect(CSVColumnTyping.value("n/a", as: .bigint) == .text("n/a"))
    }
}

@Suite struct WS1HostilePagingTests {
    @Test func anOffsetNearTheLargestIntegerEndsTheListInsteadOfTrapping() throws {
        let body = Array(#"{"data":{"offset":9223372036854775807,"page_size":100,"total_count":9223372036854775807,"results":[{"id":"a","status":"COMPLETED"}]}}"#.utf8)
        let page = try WS1DownloadPage.parse(body, step: "list downloads, page 1")
        #expect(page.nextOffset == nil)
        let negative = Array(#"{"data":{"offset":-5,"page_size":100,"total_count":500,"results":[{"id":"a","status":"COMPLETED"}]}}"#.utf8)
        #expect(try WS1DownloadPage.parse(negative, step: "p").nextOffset == nil)
    }
}
