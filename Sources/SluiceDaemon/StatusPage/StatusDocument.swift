package import SluiceCore

/// The JSON of `sluice status --json`, also served as `GET /api/status` by the daemon: one builder, so the
/// two can never drift apart.
package enum StatusDocument {
    package static func json(warehouse: String, statuses: [JobStatus], brokenFiles: [JobFileError]) -> JSONValue {
        .object([
            ("warehouse", .string(warehouse)),
            ("jobs", .array(statuses.map(\.json))),
            ("tenants", JobStatus.tenantsJSON(statuses)),
            ("broken_files", .array(brokenFiles.map { error in
                .object([("file", .string(error.file)), ("line", .integer(Int64(error.line))),
                         ("message", .string(error.message))])
            })),
        ])
    }

    /// The document as text, redacted.
    package static func text(warehouse: String, statuses: [JobStatus], brokenFiles: [JobFileError]) -> String {
        Redactor.shared.redact(json(warehouse: warehouse, statuses: statuses, brokenFiles: brokenFiles).jsonText)
    }
}
