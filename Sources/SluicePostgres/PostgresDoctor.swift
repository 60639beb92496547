package import SluiceCore
import PostgresNIO

/// The warehouse part of `sluice doctor` for a PostgreSQL warehouse: can Sluice log in, is the server new enough,
/// and does the schema hold a warehouse this Sluice can use (or may Sluice create one there).
///
/// A file system has nothing to say here (the server keeps its own files), so none of the SQLite checks (folder,
/// WAL, local disk, free space, ODBC typing) apply. Like the SQLite doctor it writes nothing: the schema and its
/// tables are only looked at, never created or migrated.
package enum PostgresDoctor {
    /// The oldest major version the warehouse is documented for.
    static let oldestMajor = 14

    /// The checklist of the warehouse `connector` reaches.
    package static func examine(_ connector: PostgresConnector) async -> DoctorSection {
        var section = DoctorSection(kind: .warehouse, title: "\(connector.location) schema \(connector.schema)", checks: [])
        let session: PostgresSession
        do {
            session = PostgresSession(connection: try await connector.connect(), logger: connector.logger)
        } catch {
            section.checks = [connectFailure(PostgresFailure.located(error, step: "connect"), location: connector.location)]
            return section
        }
        do {
            section.checks.append(try await serverCheck(session, location: connector.location))
            section.checks += try await schemaChecks(session, schema: connector.schema)
        } catch {
            let failure = PostgresFailure.located(error, step: "inspect")
            section.checks.append(.fail("warehouse", "the checks could not finish: \(failure.message)",
                                        fix: "run sluice doctor --verbose and check the server's log"))
        }
        try? await session.connection.close()
        return section
    }

    /// `connect`: who logged in where, the server's version and whether the connection is encrypted.
    static func serverCheck(_ session: PostgresSession, location: PostgresLocation) async throws -> DoctorCheck {
        let row = try await session.rows("""
            SELECT current_setting('server_version'), current_setting('server_version_num')::bigint,
                   coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false)
            """).first
        let version = try row?.text(0) ?? "?"
        let major = Int(try row?.int64(1) ?? 0) / 10_000
        let encrypted = try row?.bool(2) ?? false
        let tls = encrypted ? "TLS (sslmode=\(location.sslMode.rawValue))" : "not encrypted (sslmode=disable, loopback only)"
        let detail = "logged in as \(location.user) to database \(location.database), PostgreSQL \(version), \(tls)"
        guard major >= oldestMajor else {
            return .warn("connect", detail + "; Sluice is tested with PostgreSQL \(oldestMajor) and newer",
                         fix: "upgrade the server, or watch the first runs closely")
        }
        return .pass("connect", detail)
    }

    /// `schema`: a warehouse at a version this Sluice knows, or an empty place Sluice may create one in.
    static func schemaChecks(_ session: PostgresSession, schema: String) async throws -> [DoctorCheck] {
        let exists = try await session.rows("SELECT to_regnamespace($1) IS NOT NULL",
                                            [.text(PostgresIdentifier.quote(schema))]).first?.bool(0) ?? false
        guard exists else {
            let mayCreate = try await session.rows(
                "SELECT has_database_privilege(current_user, current_database(), 'CREATE')").first?.bool(0) ?? false
            return [mayCreate
                ? .pass("schema", "schema \(schema) does not exist yet: the first run creates it")
                : .fail("schema", "schema \(schema) does not exist and this user may not create schemas",
                        fix: "CREATE SCHEMA \(PostgresIdentifier.quote(schema)) AUTHORIZATION <sluice's user>, or "
                            + "GRANT CREATE ON DATABASE <database> TO <sluice's user>")]
        }
        // has_schema_privilege takes the schema's name as it is, not quoted.
        let mayCreate = try await session.rows("SELECT has_schema_privilege($1, 'CREATE') AND has_schema_privilege($1, 'USAGE')",
                                               [.text(schema)]).first?.bool(0) ?? false
        guard mayCreate else {
            return [.fail("schema", "this user may not create tables in schema \(schema)",
                          fix: "GRANT USAGE, CREATE ON SCHEMA \(PostgresIdentifier.quote(schema)) TO <sluice's user>")]
        }
        let qualified = PostgresIdentifier.qualified(schema, "sluice_schema_migrations")
        let migrated = try await session.rows("SELECT to_regclass($1) IS NOT NULL", [.text(qualified)]).first?.bool(0) ?? false
        guard migrated else {
            return [.pass("schema", "schema \(schema) holds no Sluice warehouse yet: the first run creates its tables")]
        }
        let version = Int(try await session.rows("SELECT coalesce(max(version), 0)::bigint FROM \(qualified)")
            .first?.int64(0) ?? 0)
        let newest = PostgresMigrations.all.count
        if version > newest {
            return [.fail("schema", "schema \(schema) is at warehouse version \(version), newer than this Sluice knows "
                              + "(\(newest))", fix: "use the newer Sluice that wrote it")]
        }
        if version < newest {
            return [.pass("schema", "schema \(schema) holds a Sluice warehouse at version \(version); the next start "
                              + "migrates it to \(newest)")]
        }
        return [.pass("schema", "schema \(schema) holds a Sluice warehouse (version \(version))")]
    }

    /// A failed login or connection, with the one thing to do about it.
    static func connectFailure(_ error: SluiceError, location: PostgresLocation) -> DoctorCheck {
        let fix: String
        switch error.kind {
        case .config:
            fix = "check the user in the warehouse URL and the password (\(PostgresPassword.variable), "
                + "\(PostgresPassword.fileVariable) or the credential '\(PostgresPassword.credentialName)'), and the "
                + "URL's sslmode/sslrootcert"
        default:
            fix = "check that PostgreSQL runs and listens where the URL says (\(location)), and that this machine may "
                + "reach it (pg_hba.conf, firewalls)"
        }
        return .fail("connect", "cannot log in to \(location): \(error.message)", fix: fix)
    }
}
