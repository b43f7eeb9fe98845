import Foundation
import Testing

/// `/fhir` behind API tokens, with the real binary, the real plugin libraries and a generated home: what
/// a token may read, when it stops working, and what the audit trail says.
@Suite("FHIR API tokens over HTTP")
struct FHIRTokenTests {
    static let plugins = ["Residents", "HomeRound", "MedicationReview", "FallsLog", "Deterioration"].map { Built.realPlugins.appendingPathComponent("lib\($0).so") }

    /// A small generated home, served, and a token made with `carehome api-token add`.
    static func home() throws -> (TestInstallation, RunningServer) {
        let installation = try TestInstallation(plugins: plugins)
        let generated = try run(Built.carehome, ["generate-home", "--data-dir", installation.dataDirectory.path, "--plugins-dir", installation.pluginsDirectory.path,
                                                 "--years", "0.1", "--beds", "10", "--seed", "3", "--audit-per-day", "1"], environment: ["CAREHOME_LOG_LEVEL": "warning"])
        #expect(generated.status == 0, "generate-home failed: \(generated.error)")
        return (installation, try installation.start())
    }

    static func addToken(_ installation: TestInstallation, name: String, scope: String, expires: String = "2099-01-01") throws -> CommandResult {
        try run(Built.carehome, ["api-token", "add", "--data-dir", installation.dataDirectory.path, "--plugins-dir", installation.pluginsDirectory.path,
                                 "--name", name, "--scope", scope, "--expires", expires], environment: ["CAREHOME_LOG_LEVEL": "warning"])
    }

    static func token(_ installation: TestInstallation, name: String, scope: String) throws -> String {
        let made = try addToken(installation, name: name, scope: scope, expires: TokenDays.isoToday(plus: 30))
        #expect(made.status == 0, "api-token add failed: \(made.error)")
        return made.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func fhir(_ server: RunningServer, _ path: String, token: String?) throws -> HTTPReply {
        try server.request("GET", path, useCookies: false, headers: token.map { ["Authorization: Bearer \($0)"] } ?? [])
    }

    static func audit(_ installation: TestInstallation, _ whereClause: String) throws -> String {
        Thread.sleep(forTimeInterval: 1.5)  // view entries are written within a second
        return try sqlite(installation.dataDirectory.appendingPathComponent("home.sqlite"),
                          "SELECT username || '|' || source || '|' || action || '|' || IFNULL(resident_id, '') FROM core_audit WHERE \(whereClause) ORDER BY id")
    }

    @Test("without a token, or with one the home never made, a request gets 401 with an OperationOutcome and reads nothing")
    func noToken() throws {
        let (installation, server) = try FHIRTokenTests.home()
        defer { server.stop() }
        for token in [nil, "chfhir_" + String(repeating: "a", count: 64), "Basic abc"] as [String?] {
            let reply = try FHIRTokenTests.fhir(server, "/fhir/Patient", token: token)
            #expect(reply.status == 401)
            #expect(reply.body.contains("\"resourceType\":\"OperationOutcome\""))
            #expect(!reply.body.contains("\"resourceType\":\"Patient\""))
            #expect(!reply.body.contains("nhs-number"))
        }
        #expect(try FHIRTokenTests.audit(installation, "source = 'fhir'") == "")
        // The capability statement is public and holds no records.
        let metadata = try FHIRTokenTests.fhir(server, "/fhir/metadata", token: nil)
        #expect(metadata.status == 200)
        #expect(metadata.body.contains("\"CapabilityStatement\""))
    }

    @Test("a token reads what its scope names and is refused (403, nothing read) outside it; every read is audited under its name")
    func scope() throws {
        let (installation, server) = try FHIRTokenTests.home()
        defer { server.stop() }
        let token = try FHIRTokenTests.token(installation, name: "Shared care record", scope: "Patient,Observation")
        let patients = try FHIRTokenTests.fhir(server, "/fhir/Patient?_count=5", token: token)
        #expect(patients.status == 200)
        #expect(patients.body.contains("\"resourceType\":\"Patient\""))
        #expect(patients.body.contains("https://fhir.nhs.uk/Id/nhs-number"))
        let medicines = try FHIRTokenTests.fhir(server, "/fhir/MedicationStatement", token: token)
        #expect(medicines.status == 403)
        #expect(medicines.body.contains("OperationOutcome"))
        #expect(!medicines.body.contains("\"resourceType\":\"MedicationStatement\""))
        #expect(try FHIRTokenTests.fhir(server, "/fhir?_type=Patient,Condition", token: token).status == 403)
        let entries = try FHIRTokenTests.audit(installation, "source = 'fhir'")
        #expect(entries.contains("api:Shared care record|fhir|view|"))
        #expect(entries.contains("api:Shared care record|fhir|refused|"))
        // One entry per resident whose record the page showed.
        #expect(entries.split(separator: "\n").filter { $0.hasPrefix("api:Shared care record|fhir|view|") && !$0.hasSuffix("|") }.count == 5)
    }

    @Test("an expired token and a revoked token are refused with 401 at once")
    func expiryAndRevocation() throws {
        let (installation, server) = try FHIRTokenTests.home()
        defer { server.stop() }
        let expiring = try FHIRTokenTests.token(installation, name: "Expiring", scope: "all")
        let revoked = try FHIRTokenTests.token(installation, name: "Revoked", scope: "all")
        #expect(try FHIRTokenTests.fhir(server, "/fhir/Patient", token: expiring).status == 200)
        #expect(try FHIRTokenTests.fhir(server, "/fhir/Patient", token: revoked).status == 200)
        let database = installation.dataDirectory.appendingPathComponent("home.sqlite")
        _ = try sqlite(database, "UPDATE core_api_tokens SET expires_on = '\(TokenDays.isoToday(plus: -1))' WHERE name = 'Expiring'")
        let expired = try FHIRTokenTests.fhir(server, "/fhir/Patient", token: expiring)
        #expect(expired.status == 401)
        #expect(expired.body.contains("expired"))
        let list = try run(Built.carehome, ["api-token", "list", "--data-dir", installation.dataDirectory.path])
        #expect(list.output.contains("Expired"))
        #expect(!list.output.contains("chfhir_"), "the list never shows a token")
        let id = try sqlite(database, "SELECT id FROM core_api_tokens WHERE name = 'Revoked'")
        let revoke = try run(Built.carehome, ["api-token", "revoke", "--data-dir", installation.dataDirectory.path,
                                              "--plugins-dir", installation.pluginsDirectory.path, id], environment: ["CAREHOME_LOG_LEVEL": "warning"])
        #expect(revoke.status == 0, "revoke failed: \(revoke.error)")
        let refused = try FHIRTokenTests.fhir(server, "/fhir/Patient", token: revoked)
        #expect(refused.status == 401)
        #expect(refused.body.contains("revoked"))
        #expect(!refused.body.contains("\"resourceType\":\"Patient\""))
        #expect(try sqlite(database, "SELECT COUNT(*) FROM core_api_tokens WHERE token_hash LIKE 'chfhir_%'") == "0", "only hashes are stored")
    }

    @Test("api-token add refuses an unknown resource type, a past date and a name already in use")
    func addRefuses() throws {
        let installation = try TestInstallation(plugins: FHIRTokenTests.plugins)
        try installation.addUser("manager", role: "manager")
        let unknown = try FHIRTokenTests.addToken(installation, name: "A", scope: "Patient,Imaginary")
        #expect(unknown.status == 1)
        #expect(unknown.error.contains("Imaginary"))
        let past = try FHIRTokenTests.addToken(installation, name: "A", scope: "all", expires: "2020-01-01")
        #expect(past.status == 1)
        #expect(try FHIRTokenTests.addToken(installation, name: "A", scope: "all", expires: TokenDays.isoToday(plus: 10)).status == 0)
        let again = try FHIRTokenTests.addToken(installation, name: "A", scope: "all", expires: TokenDays.isoToday(plus: 10))
        #expect(again.status == 1)
        #expect(again.error.contains("already in use"))
    }
}

/// Days as the CLI takes them.
enum TokenDays {
    static func isoToday(plus days: Int) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "Europe/London")
        return formatter.string(from: Date().addingTimeInterval(TimeInterval(days) * 86_400))
    }
}
