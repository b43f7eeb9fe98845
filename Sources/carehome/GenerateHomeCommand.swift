import ArgumentParser
import CareKit
import CareServer
import CareStore
import Foundation
import HomeGenerator

/// `carehome generate-home`: a demo home with years of generated history, for measuring what pages,
/// checks and backups cost on a home that has used the appliance for a long time (`make bench-scale`).
struct GenerateHomeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-home",
        abstract: "Create a demo home with years of fictional history (for benchmarks; never on a real home).",
        discussion: """
            The current residents are the demo's (as `carehome demo` seeds them); before them come former residents \
            with their stays, hospital transfers (most reviewed by the MDT), deaths, falls and checks, observations with NEWS2, \
            medicines, weekly rounds and actions, and an \
            audit trail of --audit-per-day entries. The same --seed, --years, --beds and --today give the same history. \
            Sign in with the demo accounts (password \(DemoCommand.password)).
            """)

    @Option(name: .customLong("data-dir"), help: "A new data directory for the home (must not hold a home yet).")
    var dataDirectory: String

    @Option(name: .customLong("plugins-dir"), help: "Where plugin libraries are (default: ../plugins beside the binary).")
    var pluginsDirectory: String?

    @Option(help: "Years of history before the demo's own records (fractions allowed: 0.083 is a month).")
    var years: Double = 10

    @Option(help: "Beds: the home is kept about 90% full over the years.")
    var beds: Int = 60

    @Option(help: "Seed of the generator.")
    var seed: UInt64 = 1

    @Option(name: .customLong("audit-per-day"), help: "Audit trail entries per day of history.")
    var auditPerDay: Int = 2_000

    @Option(help: "The demo's today (YYYY-MM-DD; default: today).")
    var today: String?

    func validate() throws {
        guard years >= 0, years <= 50 else { throw ValidationError("--years must be between 0 and 50") }
        guard beds > 0, beds <= 1_000 else { throw ValidationError("--beds must be between 1 and 1000") }
        guard auditPerDay >= 0, auditPerDay <= 100_000 else { throw ValidationError("--audit-per-day must be between 0 and 100000") }
        if let today, Day(iso: today) == nil { throw ValidationError("--today must be a date like 2026-11-29") }
    }

    func run() throws {
        let directory = URL(fileURLWithPath: dataDirectory)
        guard !FileManager.default.fileExists(atPath: directory.appendingPathComponent(HomeDatabase.fileName).path) else {
            throw CommandFailure("\(directory.path) already holds a home: give a new directory")
        }
        var configuration = ApplianceConfiguration(dataDirectory: directory)
        configuration.homeName = "Willow Court (generated)"
        let pluginsDirectory = pluginsDirectory.map { URL(fileURLWithPath: $0) } ?? HomeOptions.defaultPluginsDirectory()
        let started = Date()
        let appliance: Appliance
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            appliance = try Appliance(configuration: configuration, candidates: PluginCandidate.discover(in: pluginsDirectory), logger: makeLogger())
        } catch {
            throw CommandFailure("carehome cannot open the new home: \(error)")
        }
        defer { appliance.shutdown() }
        for account in DemoCommand.accounts {
            try appliance.accounts.create(username: account.username, displayName: account.name, role: account.role,
                                          password: DemoCommand.password, expiresOn: nil, createdBy: nil)
        }
        let day = today.flatMap(Day.init(iso:)) ?? HomeTime.today()
        try appliance.host.seedDemoData(today: day)
        let plan = HomeHistory.Plan(years: years, beds: beds, seed: seed, auditPerDay: auditPerDay)
        let totals: HomeHistory.Totals
        do {
            // The demo's own entries first, so the generated ones continue the chain after them, keyed alike.
            appliance.audit.flush()
            var history = HomeHistory(plan: plan, today: day)
            history.anchor = appliance.audit.anchor
            totals = try history.generate(into: appliance.home.pool) { line in
                FileHandle.standardError.write(Data("generate-home: \(line)\n".utf8))
            }
            try appliance.audit.recordHead()
            // The history went in through the pool, not the plugins' stores: seal it as the appliance's own.
            let sealed = try appliance.home.sealUnsealedRecords()
            FileHandle.standardError.write(Data("generate-home: \(sealed) generated records sealed\n".utf8))
        } catch {
            throw CommandFailure("the history could not be generated: \(error)")
        }
        try appliance.home.optimize()
        let seconds = Date().timeIntervalSince(started)
        print("Home generated in \(directory.path) in \(Int(seconds.rounded())) s: \(totals).")
    }
}
