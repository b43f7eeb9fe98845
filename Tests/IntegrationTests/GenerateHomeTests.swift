import Foundation
import Testing

/// `carehome generate-home` with the real binary and the real plugin libraries: the home it makes passes
/// `carehome check`, serves, and shows its history through the paged lists.
@Suite("A generated home with years of history")
struct GenerateHomeTests {
    @Test("generate-home makes a home that passes carehome check, serves, and pages its rounds and audit trail")
    func generatedHomeChecksAndServes() throws {
        let installation = try TestInstallation(plugins: LoaderTests.firstParty)
        let arguments = ["generate-home", "--data-dir", installation.dataDirectory.path, "--plugins-dir", installation.pluginsDirectory.path,
                         "--years", "1", "--beds", "20", "--seed", "5", "--audit-per-day", "20"]
        let generated = try run(Built.carehome, arguments, environment: ["CAREHOME_LOG_LEVEL": "warning"])
        #expect(generated.status == 0, "generate-home failed: \(generated.error)")
        #expect(generated.output.contains("Home generated in"))
        #expect(generated.output.contains("former residents"))

        let again = try run(Built.carehome, arguments, environment: ["CAREHOME_LOG_LEVEL": "warning"])
        #expect(again.status == 1)
        #expect(again.error.contains("already holds a home"))

        let check = try run(Built.carehome, ["check", "--data-dir", installation.dataDirectory.path])
        #expect(check.status == 0, "check failed: \(check.error)")
        #expect(check.output.contains("chain intact"))

        let server = try installation.start()
        defer { server.stop() }
        try server.signIn("manager", password: "carehome-demo")
        let audit = try server.get("/audit")
        #expect(audit.status == 200)
        #expect(audit.body.contains("The audit trail was intact when last checked"))
        #expect(audit.body.contains("Older entries"))
        let rounds = try server.get("/rounds")
        #expect(rounds.status == 200)
        #expect(rounds.body.contains("Earlier rounds"))
        #expect(try server.get("/").status == 200)
    }
}
