import Testing
@testable import SluiceCore

/// The checklist model and its two renderings, as plain values.
@Suite struct DoctorReportTests {
    static let tokenFailure = DoctorCheck.fail("token", "Intelligence rejected the client id/secret (HTTP 401, invalid_client)",
                                               fix: "check client_id and client_secret")
    static let job = DoctorSection(kind: .job, title: "ws1-devices", source: "ws1-intelligence",
                                   file: "jobs/ws1-devices.yaml", requests: 1,
                                   checks: [.pass("job file", "valid"), .pass("secrets", "client_secret {env: S} resolve"),
                                            tokenFailure])
    static let warehouse = DoctorSection(kind: .warehouse, title: "./warehouse.db", checks: [.pass("folder", "writable")])

    @Test func exitCodeIsZeroOnlyWhenEveryCheckPassed() {
        #expect(DoctorReport(sections: [Self.warehouse]).exitCode == 0)
        #expect(DoctorReport(sections: [Self.job, Self.warehouse]).exitCode == 1)
        let warned = DoctorSection(kind: .warehouse, title: "w.db", checks: [.warn("clock", "not checked")])
        #expect(DoctorReport(sections: [warned]).exitCode == 1, "a ! is not a pass")
        #expect(DoctorReport(sections: []).exitCode == 0)
    }

    @Test func everyFailureCarriesAFix() {
        let bare = DoctorCheck("x", .fail, "broken", fix: nil)
        #expect(bare.fix?.isEmpty == false)
        #expect(DoctorCheck.pass("x", "ok").fix == nil)
    }

    @Test func theTextNamesTheJobMarksEachCheckAndPutsTheFixUnderTheFailure() {
        let text = DoctorReport(sections: [Self.job, Self.warehouse]).text(redactor: Redactor())
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "job ws1-devices  (ws1-intelligence, jobs/ws1-devices.yaml, 1 request)")
        #expect(lines[1] == "  ✔ job file  valid")
        #expect(lines[3] == "  ✘ token     Intelligence rejected the client id/secret (HTTP 401, invalid_client)")
        #expect(lines[4] == "              → check client_id and client_secret")
        #expect(lines[6] == "warehouse ./warehouse.db")
        #expect(text.hasSuffix("\n1 ✘ (exit 1)\n"))
    }

    @Test func theTextRedactsSecretsAndEscapesControlCharacters() {
        let redactor = Redactor()
        redactor.register("s3cr3t-value")
        let section = DoctorSection(kind: .job, title: "feed", checks: [
            .fail("first page", "the server said s3cr3t-value\u{1B}[2J", fix: "rotate s3cr3t-value"),
        ])
        let text = DoctorReport(sections: [section]).text(redactor: redactor)
        #expect(!text.contains("s3cr3t-value"))
        #expect(!text.contains("\u{1B}"))
        #expect(text.contains("\\u{1B}[2J"))
    }

    @Test func theJSONHasTheResultOfEverySectionAndCheck() {
        let json = DoctorReport(sections: [Self.job, Self.warehouse]).json(redactor: Redactor())
        #expect(json["ok"] == .bool(false))
        #expect(json["exit_code"] == .integer(1))
        #expect(json["failures"] == .integer(1))
        guard case .array(let sections)? = json["sections"] else { Issue.record("no sections"); return }
        #expect(sections.count == 2)
        #expect(sections[0]["name"] == .string("ws1-devices"))
        #expect(sections[0]["result"] == .string("fail"))
        #expect(sections[0]["requests"] == .integer(1))
        guard case .array(let checks)? = sections[0]["checks"] else { Issue.record("no checks"); return }
        #expect(checks[2]["check"] == .string("token") && checks[2]["result"] == .string("fail"))
        #expect(checks[2]["fix"] == .string("check client_id and client_secret"))
        #expect(checks[0]["fix"] == nil, "a passed check has no fix")
        #expect(sections[1]["kind"] == .string("warehouse") && sections[1]["result"] == .string("pass"))
    }

    @Test func amountsReadShort() {
        #expect(DoctorText.age(42) == "42 s")
        #expect(DoctorText.age(-420) == "7 min")
        #expect(DoctorText.age(3 * 3600 + 12 * 60) == "3 h 12 min")
        #expect(DoctorText.age(2 * 86_400 + 4 * 3600) == "2 d 4 h")
        #expect(DoctorText.bytes(512) == "512 bytes")
        #expect(DoctorText.bytes(3 * 1024 + 400) == "3.4 KiB")
        #expect(DoctorText.bytes(1 << 30) == "1 GiB")
    }
}
