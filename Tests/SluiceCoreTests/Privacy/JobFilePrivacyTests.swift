import Testing
@testable import SluiceCore

/// `target.pseudonymise`, `target.drop`, `target.pseudonym_key` and `tenant:` in job files.
@Suite struct JobFilePrivacyTests {
    let powerBI = """
        schedule: every 1h
        source:
          type: powerbi-activity
          tenant_id: { env: PBI_TENANT }
          client_id: { env: PBI_CLIENT }
          client_secret: { env: PBI_SECRET }
        """

    @Test func theThreeKeysDecode() throws {
        let yaml = powerBI + """

            target:
              pseudonymise: [UserId, ClientIP, SharingInformation.RecipientEmail]
              drop: [UserAgent]
              pseudonym_key: { credential: pseudonym_key }
            tenant: contoso
            """
        let job = try JobFileDecoder.decode(yaml: yaml, file: "jobs/pbi.yaml")
        #expect(job.target.pseudonymise == ["UserId", "ClientIP", "SharingInformation.RecipientEmail"])
        #expect(job.target.drop == ["UserAgent"])
        #expect(job.target.pseudonymKey == .credential("pseudonym_key"))
        #expect(job.tenant == "contoso")
        #expect(job.secrets.map(\.key).contains("pseudonym_key"))
    }

    @Test func pseudonymiseWithoutAKeyIsRefusedAtItsLine() {
        let error = onlyProblem(powerBI + "\ntarget:\n  pseudonymise: [UserId]")
        #expect(error?.line == 8)
        #expect(error?.message.hasPrefix("target.pseudonymise needs target.pseudonym_key") == true)
    }

    @Test func aKeyWithoutAnythingToHashIsRefused() {
        let error = onlyProblem(powerBI + "\ntarget:\n  pseudonym_key: { env: KEY }")
        #expect(error?.message == "target.pseudonym_key is set but target.pseudonymise names no field to hash")
    }

    @Test func aLiteralKeyIsRefusedWithoutShowingIt() {
        let found = problems(powerBI + "\ntarget:\n  pseudonymise: [UserId]\n  pseudonym_key: hunter2-secret")
        #expect(found.contains { $0.message.hasPrefix("pseudonym_key is written literally") })
        #expect(!found.contains { $0.message.contains("hunter2") })
    }

    @Test func aFieldCannotBeBothHashedAndDropped() {
        let error = onlyProblem(powerBI + "\ntarget:\n  pseudonymise: [UserId]\n  drop: [UserId]\n  pseudonym_key: { env: K }")
        #expect(error?.message.hasPrefix("'UserId' is in both target.pseudonymise and target.drop") == true)
    }

    @Test func theCursorCanBeNeitherHashedNorDropped() {
        let hashed = onlyProblem(powerBI + "\ntarget:\n  pseudonymise: [CreationTime]\n  pseudonym_key: { env: K }")
        #expect(hashed?.message.hasPrefix("'CreationTime' is the source's cursor") == true)
        let dropped = onlyProblem(powerBI + "\ntarget:\n  drop: [CreationTime]")
        #expect(dropped?.message == "'CreationTime' is the source's cursor and cannot be dropped")
    }

    @Test func aKeyFieldCannotBeDroppedButMayBeHashed() throws {
        let error = onlyProblem(powerBI + "\ntarget:\n  drop: [Id]")
        #expect(error?.message.hasPrefix("'Id' is part of the primary key and cannot be dropped") == true)
        let job = try JobFileDecoder.decode(yaml: powerBI + "\ntarget:\n  pseudonymise: [Id]\n  pseudonym_key: { env: K }",
                                            file: "jobs/pbi.yaml")
        #expect(job.target.pseudonymise == ["Id"])
    }

    @Test func aHashedFieldCannotBeDeclaredANumber() {
        let error = onlyProblem(powerBI + "\ntarget:\n  pseudonymise: [UserKey]\n  pseudonym_key: { env: K }\n  columns: { UserKey: bigint }")
        #expect(error?.message.contains("declares it BIGINT") == true)
    }

    @Test func aTenantIsAPlainLowerCaseName() {
        let error = onlyProblem(powerBI + "\ntenant: Contoso Ltd")
        #expect(error?.line == 7)
        #expect(error?.message.hasPrefix("tenant 'Contoso Ltd' must be lower-case letters") == true)
    }

    @Test func theTenantColumnIsNotAFieldOfTheJob() {
        let error = onlyProblem(minimalJob + "\ntenant: contoso\ntarget:\n  primary_key: [tenant, id]")
        #expect(error?.message.hasPrefix("target.primary_key names 'tenant'") == true)
    }

    @Test func jobsMayShareOnlyUpsertTables() throws {
        func feed(_ name: String, mode: String) throws -> JobDefinition {
            try JobFileDecoder.decode(yaml: minimalJob + "\ntarget:\n  table: shared\n  mode: \(mode)\n  primary_key: [id]",
                                      file: "jobs/\(name).yaml")
        }
        #expect(JobFileDecoder.sharedDatasetTables([try feed("a", mode: "upsert"), try feed("b", mode: "upsert")]).isEmpty)
        let clash = JobFileDecoder.sharedDatasetTables([try feed("a", mode: "upsert"), try feed("b", mode: "replace")])
        #expect(clash.map(\.job.name) == ["a", "b"])
        #expect(clash.first?.table == "shared")
    }
}
