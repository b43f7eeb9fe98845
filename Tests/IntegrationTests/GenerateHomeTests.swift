import Foundation
import Testing

/// `carehome generate-home` with the real binary and the real plugin libraries: the home it makes passes
/// `carehome check`, serves, and shows its history through the paged lists.
@Suite("A generated home with years of history")
struct GenerateHomeTests {
    @Test("generate-home makes a home that passes carehome check, serves, and pages its rounds and audit trail")
    func generatedHomeChecksAndServes() throws {
        let installation = try TestInstallation(plugins: LoaderTests.firstParty + ["Deterioration", "Transfers"].map { Built.realPlugins.appendingPathComponent("lib\($0).so") })
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
        // The history went in through the pool, and is sealed as the appliance's own.
        #expect(check.output.contains("are as the appliance last saved them"), "\(check.output)")
        // Hospital transfers (most reviewed at a round) and observations, as the transfers and deterioration plugins keep them.
        let database = installation.dataDirectory.appendingPathComponent("home.sqlite")
        let transfers = Int(try sqlite(database, "SELECT COUNT(*) FROM transfers_transfers WHERE recorded_by_name = 'Generated history'")) ?? 0
        let reviewed = Int(try sqlite(database, "SELECT COUNT(*) FROM transfers_reviews WHERE recorded_by_name = 'Generated history'")) ?? 0
        let observations = Int(try sqlite(database, "SELECT COUNT(*) FROM deterioration_observations WHERE recorded_by_name = 'Generated history'")) ?? 0
        #expect(transfers > 0 && reviewed > 0 && reviewed <= transfers, "transfers \(transfers), reviewed \(reviewed)")
        #expect(observations > 100, "observation sets: \(observations)")

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
        // The transfers' figures count the generated history: its unplanned transfers, out of its occupied bed days.
        let window = try sqlite(database, "SELECT MIN(left_on) || '&to=' || MAX(left_on) FROM transfers_transfers WHERE recorded_by_name = 'Generated history'")
        let csv = try server.get("/transfers/figures.csv?from=\(window)")
        #expect(csv.status == 200)
        let unplanned = csv.body.split(whereSeparator: \.isNewline).first { $0.contains(",unplanned_transfers,") }
        let count = unplanned.flatMap { line in Int(line.split(separator: ",")[4]) } ?? 0
        #expect(count > 0, "the generated history has transfers in the figures: \(csv.body.prefix(600))")
    }
}
