import SluiceCore

/// The JSON of `sluice status --json`, also served as `GET /api/status` by the daemon: one builder, so the
/// two can never drift apart.
public enum StatusDocument {
    public static func json(warehouse: String, statuses: [JobStatus]) -> JSONValue {
        .object([("warehouse", .string(warehouse)), ("jobs", .array(statuses.map(\.json))),
                 ("tenants", JobStatus.tenantsJSON(statuses))])
    }

    /// The document as text, redacted.
    public static func text(warehouse: String, statuses: [JobStatus]) -> String {
        Redactor.shared.redact(json(warehouse: warehouse, statuses: statuses).jsonText)
    }
}
