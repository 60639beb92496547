import SluiceCore
import SluiceSources
import SluiceWarehouse

/// `sluice validate`'s look into the warehouse: a job whose pseudonym key or pseudonymised fields differ from
/// what a table already holds is refused before it runs (the run would be refused at its first page).
enum PseudonymCheck {
    /// What was found for one job: problems (refusals) and notes (what could not be checked).
    struct Findings {
        var problems: [JobFileError] = []
        var notes: [String] = []
    }

    static func check(_ jobs: [JobDefinition], warehouse: SQLiteWarehouse, secrets: SecretResolver) async -> Findings {
        var findings = Findings()
        for job in jobs {
            var wanted = PseudonymFingerprint.clear
            var keyKnown = true
            if !job.target.pseudonymise.isEmpty, let ref = job.target.pseudonymKey {
                do {
                    let key = try secrets.resolve(ref, job: job.name, key: "pseudonym_key")
                    wanted = Pseudonymiser(key: key).fingerprint(fields: job.target.pseudonymise)
                } catch {
                    keyKnown = false
                    wanted = PseudonymFingerprint(keyCheck: "", fields: job.target.pseudonymise)
                    findings.notes.append("job '\(job.name)': pseudonym_key not compared with the warehouse: \(error.message)")
                }
            }
            for table in job.tables {
                let state: (stored: PseudonymFingerprint?, holdsData: Bool)
                do {
                    state = try await warehouse.pseudonymState(table: table)
                } catch {
                    findings.notes.append("job '\(job.name)': table '\(table)' not checked: \(error)")
                    continue
                }
                // Without the key only the field list can be compared: take the stored key check as given.
                var compared = wanted
                if !keyKnown, let stored = state.stored { compared.keyCheck = stored.keyCheck }
                if case .refuse(let reason) = PseudonymFingerprint.decide(table: table, stored: state.stored,
                                                                           holdsData: state.holdsData, wanted: compared) {
                    findings.problems.append(JobFileError(file: job.file, line: 0,
                                                          message: "job '\(job.name)', target.pseudonymise: \(reason)"))
                }
            }
        }
        return findings
    }
}
