/// The entity sets the Monitor emulator serves, modelled on the fields Citrix documents for them.
///
/// Enum-valued properties are integers (`ConnectionState` 5 = active, `LifecycleState` 0 = active machine).
enum CitrixCatalog {
    static let sessions = CitrixEntitySetShape(
        name: "Sessions", typeName: "Session", key: ["SessionKey"],
        properties: [("SessionKey", "Edm.Guid"), ("StartDate", "Edm.DateTimeOffset"), ("EndDate", "Edm.DateTimeOffset"),
                     ("CreatedDate", "Edm.DateTimeOffset"), ("ModifiedDate", "Edm.DateTimeOffset"),
                     ("ConnectionState", "Edm.Int32"), ("ConnectionStateChangeDate", "Edm.DateTimeOffset"),
                     ("LogOnDuration", "Edm.Int64"), ("UserId", "Edm.Int32"), ("MachineId", "Edm.Guid"),
                     ("CurrentConnectionId", "Edm.Int64"), ("SessionType", "Edm.Int32"), ("IsAnonymous", "Edm.Boolean"),
                     ("FailureDate", "Edm.DateTimeOffset")],
        changeDate: "ModifiedDate",
        row: { i, c in
            let start = shift(c.natural(i), by: -1_800_000)
            let ended = c.revision > 0 || i % 3 == 0
            return [.text(citrixGUID(0x5e55_0001, i)), start, ended ? c.changed(i) : .null, start, c.changed(i),
                    .int(c.revision > 0 ? 3 : [5, 2, 3, 1][i % 4]), c.changed(i), .int(Int64((i * 1371) % 60_000 + 4000)),
                    .int(Int64(i % 120 + 1)), .text(citrixGUID(0xa11c_0002, i % 40 + 1)), .int(Int64(887_000 + i)),
                    .int(Int64(i % 2)), .bool(i % 10 == 0), .null]
        })

    static let machines = CitrixEntitySetShape(
        name: "Machines", typeName: "Machine", key: ["Id"],
        properties: [("Id", "Edm.Guid"), ("Name", "Edm.String"), ("DnsName", "Edm.String"), ("LifecycleState", "Edm.Int32"),
                     ("PowerState", "Edm.Int32"), ("RegistrationState", "Edm.Int32"), ("IsInMaintenanceMode", "Edm.Boolean"),
                     ("CurrentSessionCount", "Edm.Int32"), ("RegistrationStateChangeDate", "Edm.DateTimeOffset"),
                     ("CreatedDate", "Edm.DateTimeOffset"), ("ModifiedDate", "Edm.DateTimeOffset")],
        changeDate: "ModifiedDate",
        row: { i, c in
            let name = "VDA-" + String(1000 + i).dropFirst()
            return [.text(citrixGUID(0xa11c_0002, i)), .text("DEMO\\" + name), .text(name.lowercased() + ".demo.example"),
                    .int(i % 13 == 0 ? 1 : 0), .int(c.revision > 0 ? 2 : 3), .int(i % 7 == 0 ? 2 : 1),
                    .bool(c.revision > 0 || i % 9 == 0), .int(Int64(i % 5)), c.natural(i), shift(c.natural(i), by: -86_400_000),
                    c.changed(i)]
        })

    static let users = CitrixEntitySetShape(
        name: "Users", typeName: "User", key: ["Id"],
        properties: [("Id", "Edm.Int32"), ("Sid", "Edm.String"), ("UserName", "Edm.String"), ("FullName", "Edm.String"),
                     ("Upn", "Edm.String"), ("Domain", "Edm.String"), ("CreatedDate", "Edm.DateTimeOffset"),
                     ("ModifiedDate", "Edm.DateTimeOffset")],
        changeDate: "ModifiedDate",
        row: { i, c in
            let user = "user" + String(10_000 + i).dropFirst()
            let full = c.revision > 0 ? "User \(i) (rev \(c.revision))" : (i % 6 == 0 ? "Zoë O'Brien \(i)" : "User \(i)")
            return [.int(Int64(i)), .text("S-1-5-21-1004336348-1177238915-682003330-\(1000 + i)"), .text(user), .text(full),
                    .text(user + "@demo.example"), .text("DEMO"), shift(c.natural(i), by: -86_400_000), c.changed(i)]
        })

    static let sessionMetrics = CitrixEntitySetShape(
        name: "SessionMetrics", typeName: "SessionMetric", key: ["Id"],
        properties: [("Id", "Edm.Int64"), ("SessionId", "Edm.Guid"), ("CollectedDate", "Edm.DateTimeOffset"),
                     ("IcaRttMS", "Edm.Int32"), ("IcaLatency", "Edm.Int32"), ("CreatedDate", "Edm.DateTimeOffset")],
        changeDate: "CollectedDate",
        row: { i, c in
            [.int(Int64(1_000_000 + i)), .text(citrixGUID(0x5e55_0001, i % 300 + 1)), c.changed(i),
             .int(Int64(20 + (i * 31) % 180)), .int(Int64(5 + (i * 17) % 90)), shift(c.changed(i), by: 2000)]
        })

    static let resourceUtilizationSummary = CitrixEntitySetShape(
        name: "ResourceUtilizationSummary", typeName: "ResourceUtilizationSummary",
        key: ["MachineId", "Granularity", "SummaryDate", "DesktopGroupId"],
        properties: [("MachineId", "Edm.Guid"), ("Granularity", "Edm.Int32"), ("SummaryDate", "Edm.DateTimeOffset"),
                     ("DesktopGroupId", "Edm.Guid"), ("AvgPercentCpu", "Edm.Double"), ("AvgUsedMemory", "Edm.Double"),
                     ("TotalMemory", "Edm.Int64"), ("ModifiedDate", "Edm.DateTimeOffset")],
        changeDate: "SummaryDate",
        row: { i, c in
            // Eight machines per hour, newest hour at the anchor's hour.
            let hour = c.anchorMillis - c.anchorMillis % 3_600_000 - Int64((c.count - i) / 8) * 3_600_000
            let date: CitrixCell = c.modifiedMillis.map { .date(millis: $0, digits: 0) } ?? .date(millis: hour, digits: 0)
            return [.text(citrixGUID(0xa11c_0002, (i - 1) % 8 + 1)), .int(60), date, .text(citrixGUID(0xd6_0003, 1)),
                    .double(Double((i * 733) % 10_000) / 100), .double(Double(2048 + (i * 97) % 6000) + 0.5),
                    .int(8192), date]
        })

    static let all = [sessions, machines, users, sessionMetrics, resourceUtilizationSummary]
}
