/// One generated activity event. Which fields it carries depends on its activity, as in the real log.
///
/// Everything follows from the UTC day (days since 1970) and the event's index in that day, so two emulators
/// built the same way serve the same events and tests can compute what a complete pull must contain.
struct PowerBIActivityEvent: Sendable {
    /// The activities generated, in turn; each has its own extra fields.
    static let activities = ["ViewReport", "ExportReport", "ShareDashboard", "ViewDashboard", "CreateDataflow"]

    var day: Int
    var index: Int
    /// Milliseconds since the epoch (whole seconds: `CreationTime` has no fraction).
    var millis: Int64

    init(day: Int, index: Int, eventsPerDay: Int) {
        self.day = day
        self.index = index
        let secondOfDay = Int64(index) * 86_400 / Int64(max(1, eventsPerDay)) + Int64(index % 7)
        millis = (Int64(day) * 86_400 + min(secondOfDay, 86_399)) * 1000
    }

    var activity: String { Self.activities[index % Self.activities.count] }

    /// A GUID-shaped id built from the day and the index.
    var id: String { Self.guid(UInt64(day), UInt64(index)) }

    var userID: String { "user\(index % 9)@contoso.com" }

    /// Appends the event as a JSON object; `CreationTime` is zone-less UTC as the API sends it.
    func write(to json: inout JSONText) {
        let created = String(EmulatorTimestamp.iso8601(millis: millis).dropLast())
        json.raw("{\"Id\":")
        json.string(id)
        json.raw(",\"RecordType\":20,\"CreationTime\":")
        json.string(created)
        json.raw(",\"Operation\":")
        json.string(activity)
        json.raw(",\"OrganizationId\":\"e43e3248-3d83-44aa-a94d-c836bd7f9b79\",\"UserType\":")
        json.raw(index % 11 == 0 ? "5" : "0")
        json.raw(",\"UserKey\":")
        json.string(String(779_438_769 + index % 9))
        json.raw(",\"Workload\":\"PowerBI\",\"UserId\":")
        json.string(userID)
        json.raw(",\"ClientIP\":")
        json.string("10.0.\(index % 4).\(index % 250 + 1)")
        json.raw(",\"Activity\":")
        json.string(activity)
        json.raw(",\"IsSuccess\":")
        json.raw(index % 13 == 12 ? "false" : "true")
        json.raw(",\"RequestId\":")
        json.string(Self.guid(UInt64(day) + 7, UInt64(index)))
        writeActivityFields(to: &json)
        json.raw("}")
    }

    private func writeActivityFields(to json: inout JSONText) {
        let item = index % 6
        switch activity {
        case "ViewReport":
            json.raw(",\"WorkSpaceName\":\"Finance\",\"WorkspaceId\":\(JSONText.quoted(Self.guid(1, 0)))")
            json.raw(",\"ReportName\":\"Sales \(item)\",\"ReportId\":\(JSONText.quoted(Self.guid(2, UInt64(item))))")
            json.raw(",\"DatasetName\":\"Sales\",\"DatasetId\":\(JSONText.quoted(Self.guid(3, 0)))")
            json.raw(",\"ReportType\":\"PowerBIReport\",\"ConsumptionMethod\":\"Power BI Web\"")
            json.raw(",\"DistributionMethod\":\"Workspace\",\"ArtifactKind\":\"Report\"")
        case "ExportReport":
            let exported = EmulatorTimestamp.iso8601(millis: millis)
            let finished = EmulatorTimestamp.iso8601(millis: millis + 4000)
            json.raw(",\"WorkSpaceName\":\"Finance\",\"ReportName\":\"Sales \(item)\"")
            json.raw(",\"ReportId\":\(JSONText.quoted(Self.guid(2, UInt64(item))))")
            json.raw(",\"ExportEventStartDateTimeUTC\":\(JSONText.quoted(exported))")
            json.raw(",\"ExportEventEndDateTimeUTC\":\(JSONText.quoted(finished))")
            json.raw(",\"ExportedArtifactInfo\":{\"ExportType\":\"PDF\",\"ArtifactType\":\"Report\",\"ArtifactId\":\(item)}")
        case "ShareDashboard":
            json.raw(",\"DashboardName\":\"Operations\",\"DashboardId\":\(JSONText.quoted(Self.guid(4, 0)))")
            json.raw(",\"SharingInformation\":[{\"RecipientEmail\":\"viewer\(item)@contoso.com\",\"ResharePermission\":\"Read\"}]")
        case "ViewDashboard":
            json.raw(",\"DashboardName\":\"Operations\",\"DashboardId\":\(JSONText.quoted(Self.guid(4, 0)))")
            json.raw(",\"WorkSpaceName\":\"Operations\",\"WorkspaceId\":\(JSONText.quoted(Self.guid(1, 1)))")
        default:
            json.raw(",\"DataflowId\":\(JSONText.quoted(Self.guid(5, UInt64(item))))")
            json.raw(",\"DataflowName\":\"Staging \(item)\",\"DataflowType\":\"Import\"")
        }
    }

    /// `hhhhhhhh-hhhh-4hhh-8hhh-hhhhhhhhhhhh` from two numbers.
    static func guid(_ a: UInt64, _ b: UInt64) -> String {
        func hex(_ v: UInt64, _ width: Int) -> String {
            let s = String(v, radix: 16)
            return s.count >= width ? String(s.suffix(width)) : String(repeating: "0", count: width - s.count) + s
        }
        return hex(a, 8) + "-" + hex(b >> 16, 4) + "-4" + hex(b >> 4 & 0xfff, 3) + "-8" + hex(b & 0xf, 3) + "-"
            + hex(a &* 0x9E37_79B9 &+ b, 12)
    }
}
