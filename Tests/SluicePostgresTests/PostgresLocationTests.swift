import SluiceCore
import Testing
@testable import SluicePostgres

/// The warehouse URL: what it accepts, its defaults, and what it refuses (never repeating a password).
@Suite("PostgreSQL location")
struct PostgresLocationTests {
    @Test func aFullURLIsParsed() throws {
        let location = try PostgresLocation(parsing: "postgresql://sluice@db.example.com:6543/bi?sslmode=verify-ca"
            + "&sslrootcert=/etc/ssl/ca.pem&application_name=sluice-a&connect_timeout=5")
        #expect(location.user == "sluice" && location.host == "db.example.com" && location.port == 6543)
        #expect(location.database == "bi" && location.sslMode == .verifyCA && location.sslRootCert == "/etc/ssl/ca.pem")
        #expect(location.applicationName == "sluice-a" && location.connectTimeoutSeconds == 5)
        #expect(location.description == "postgresql://sluice@db.example.com:6543/bi?sslmode=verify-ca")
    }

    @Test func defaultsFollowTheHost() throws {
        let remote = try PostgresLocation(parsing: "postgres://etl@warehouse.internal/analytics")
        #expect(remote.port == 5432 && remote.sslMode == .verifyFull && remote.applicationName == "sluice")
        let local = try PostgresLocation(parsing: "postgresql://etl@127.0.0.1")
        #expect(local.sslMode == .disable && local.database == "etl")
        let v6 = try PostgresLocation(parsing: "postgresql://etl@[::1]:5433/db")
        #expect(v6.host == "::1" && v6.port == 5433 && v6.sslMode == .disable)
        #expect(v6.description == "postgresql://etl@[::1]:5433/db?sslmode=disable")
        let socket = try PostgresLocation(parsing: "postgresql://etl@/db?host=/var/run/postgresql")
        #expect(socket.socketFolder == "/var/run/postgresql" && socket.sslMode == .disable)
        let encoded = try PostgresLocation(parsing: "postgresql://d%C3%A9v%40corp@localhost/my%20db")
        #expect(encoded.user == "dév@corp" && encoded.database == "my db")
    }

    @Test(arguments: [
        "postgresql://etl:hunter2-secret@db.example.com/bi",
        "postgresql://etl:hunter2-secret@127.0.0.1/bi?sslmode=disable",
        "postgres://:hunter2-secret@db.example.com/bi",
    ])
    func aPasswordInTheURLIsRefusedWithoutRepeatingIt(url: String) {
        let error = #expect(throws: SluiceError.self) { try PostgresLocation(parsing: url) }
        #expect(error?.kind == .config)
        #expect(error?.message.contains("SLUICE_WAREHOUSE_PASSWORD") == true)
        #expect(!(error.map(String.init(describing:)) ?? "").contains("hunter2"))
    }

    @Test(arguments: [
        ("postgresql://etl@db.example.com/bi?sslmode=disable", "only allowed to a loopback host"),
        ("postgresql://etl@db.example.com/bi?sslmode=prefer", "sslmode must be one of"),
        ("postgresql://etl@db.example.com/bi?password=x", "does not know"),
        ("postgresql://etl@db.example.com/bi?sslmode", "sslmode must be one of"),
        ("postgresql://db.example.com/bi", "needs a user"),
        ("postgresql://etl@/bi", "needs a host"),
        ("postgresql://etl@db.example.com:99999/bi", "port"),
        ("postgresql://etl@db.example.com/bi?connect_timeout=0", "connect_timeout"),
        ("postgresql://etl@db.example.com/a/b", "database name"),
        ("mysql://etl@db.example.com/bi", "postgresql://"),
        ("postgresql://etl@db.example.com/bi#frag", "must not contain"),
    ])
    func badURLsAreConfigurationErrors(url: String, says: String) {
        let error = #expect(throws: SluiceError.self) { try PostgresLocation(parsing: url) }
        #expect(error?.kind == .config)
        #expect(error?.message.contains(says) == true, "\(String(describing: error))")
        #expect(error?.message.contains("x&") != true)
    }

    @Test func theSchemaMustBeAPlainName() {
        for bad in ["Public", "pg_catalog", "information_schema", "a-b", "", "x\"; drop"] {
            #expect(throws: SluiceError.self) { try PostgresIdentifier.validateSchema(bad) }
        }
        #expect(throws: Never.self) { try PostgresIdentifier.validateSchema("sluice_bi") }
    }

    @Test func internalNamesStayWithinPostgreSQLsLimit() {
        let long = String(repeating: "t", count: 63)
        #expect(PostgresIdentifier.rowsTable("devices") == "sluice_rows_devices")
        #expect(PostgresIdentifier.rowsTable(long).utf8.count == 63)
        #expect(PostgresIdentifier.rowsTable(long) != PostgresIdentifier.rowsTable(String(long.dropLast()) + "u"))
        #expect(PostgresWarehouse.latestView("devices") == "devices_latest")
        #expect(PostgresWarehouse.latestView(long).hasSuffix("_latest") && PostgresWarehouse.latestView(long).utf8.count == 63)
        #expect(PostgresIdentifier.pageTable(long, columns: ["a"]).utf8.count <= 63)
    }
}
