import SluiceCore

/// A source whose every batch passes through the job's ``RowShaper`` before it is handed on: the last step
/// of row assembly, inside the source, so nothing downstream ever holds a clear value of a pseudonymised or
/// dropped field.
struct ShapedSource: Source {
    let inner: any Source
    let secrets: SecretResolver

    func pull(_ request: PullRequest, emit: @Sendable (Batch) async throws -> Void) async throws -> PullOutcome {
        let shaper = try Self.shaper(for: request.job, secrets: secrets)
        return try await inner.pull(request) { batch in try await emit(shaper.shape(batch)) }
    }

    /// The job's shaper, resolving `pseudonym_key` (the resolver hands it to the redactor) when fields are hashed.
    ///
    /// - Throws: ``SluiceError`` of kind `.configuration`, step `secret pseudonym_key`, when the key is missing.
    static func shaper(for job: JobDefinition, secrets: SecretResolver) throws(SluiceError) -> RowShaper {
        var key: String?
        if !job.target.pseudonymise.isEmpty {
            guard let ref = job.target.pseudonymKey else {
                throw SluiceError(.config, job: job.name, step: "secret pseudonym_key",
                                  "target.pseudonymise needs target.pseudonym_key")
            }
            key = try secrets.resolve(ref, job: job.name, key: "pseudonym_key")
        }
        return RowShaper(job: job, key: key)
    }
}
