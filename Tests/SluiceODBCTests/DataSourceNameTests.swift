import Foundation
import SluiceTestSupport
import Testing

/// A warehouse registered as an ODBC data source name, the way Power BI and the gateway reach it.
///
/// The DSN lives in a temp `odbc.ini` that `ODBCINI` points at. unixODBC reads that variable from the process
/// environment, and changing the environment of this (multi-threaded) test process while other tests start
/// processes is not safe, so the DSN is used from a child process: unixODBC's own `isql` client, which
/// connects with `SQLConnect(DSN)` and describes a table with `SQLColumns` (`help <table>`).
@Suite("ODBC data source name")
struct DataSourceNameTests {
    @Test func aSystemStyleDSNReachesTheWarehouseAndDescribesItsColumns() async throws {
        try await WarehouseFixture.with { f in
            let run = try await f.sluice(["run"])
            #expect(run.exitCode == 0, "\(run.combined)")
            let ini = f.dir.path + "/odbc.ini"
            try """
                [SluiceWarehouse]
                Description=Sluice warehouse (test)
                Driver=SQLite3
                Database=\(f.warehouse)
                NoCreat=1
                Timeout=5000

                """.write(toFile: ini, atomically: true, encoding: .utf8)
            let output = try await Isql.run(dsn: "SluiceWarehouse", ini: ini, in: f.dir.path, input: """
                SELECT count(*), max(updated_at_utc) FROM feed_rows
                help feed_rows

                """)
            #expect(output.exitCode == 0, "\(output.text)")
            let lines = output.text.split(separator: "\n").map(String.init)
            #expect(lines.contains("250|2026-01-01 04:09:00"), "\(lines.prefix(4))")
            // isql is an ODBC 2 application, so the driver answers with the ODBC 2 codes for date and time.
            let types = Dictionary(lines.compactMap(Isql.columnType), uniquingKeysWith: { first, _ in first })
            #expect(types["id"] == "-5|BIGINT")
            #expect(types["amount"] == "8|DOUBLE")
            #expect(types["active"] == "-7|BOOLEAN")
            #expect(types["updated_at_utc"] == "11|TIMESTAMP")
            #expect(types["created_on"] == "9|DATE")
            #expect(types["name"] == "-1|TEXT")
            let missing = try await Isql.run(dsn: "NoSuchWarehouse", ini: ini, in: f.dir.path, input: "SELECT 1\n")
            #expect(missing.exitCode != 0)
        }
    }
}

/// unixODBC's `isql`, run in batch mode with `|` between fields and a header line.
enum Isql {
    struct Output {
        var exitCode: Int32
        var text: String
    }

    static func run(dsn: String, ini: String, in directory: String, input: String) async throws -> Output {
        let path = ["/usr/bin/isql", "/usr/local/bin/isql"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path else {
            Issue.record("isql not found: install unixodbc (.ci/run does)")
            return Output(exitCode: -1, text: "")
        }
        let result = try await ExternalProcess.run(path, ["-b", "-v", "-c", "-d|", dsn], in: directory,
                                                   environment: ["ODBCINI": ini], input: input, mergeOutput: true,
                                                   timeout: 60)
        #expect(!result.timedOut, "isql did not finish within 60 s")
        return Output(exitCode: result.exitCode, text: result.stdout)
    }

    /// `column → "DATA_TYPE|TYPE_NAME"` from one line of `help <table>` (`||table|column|type|name|…`).
    static func columnType(_ line: String) -> (String, String)? {
        let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard fields.count > 5, fields[2] == "feed_rows" else { return nil }
        return (fields[3], fields[4] + "|" + fields[5])
    }
}
