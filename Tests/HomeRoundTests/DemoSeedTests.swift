import Testing
import CareKit
import CareTesting
import Foundation
@testable import HomeRoundPlugin

@Test("the demo has last week's closed round with findings and actions (some overdue) and this week's round open with an agenda")
func demoSeed() throws {
    let people = (1...8).map { RegistryResident(summary: person(Int64($0), "Resident\($0)", room: String($0), acp: $0 != 6)) }
    let clock = TestClock("2026-11-23T10:00")
    let home = try TestHome(plugins: [RegistryDouble(people), HomeRoundPlugin(now: { clock.now })])
    try home.seedDemoData(today: day("2026-11-23"))

    let rounds = try home.get("/rounds", as: .manager).body
    #expect(rounds.contains("This week&#39;s round (Thu 26 Nov 2026) is open."))
    for held in ["Thu 19 Nov 2026", "Thu 12 Nov 2026", "Thu 29 Oct 2026"] { #expect(rounds.contains(held)) }

    let lastWeek = try home.get("/rounds/3/sheet", as: .clinician).body
    #expect(lastWeek.contains("Zopiclone taper started"))
    #expect(lastWeek.contains("Dr Gareth Price (GP, Riverside Surgery)"), "the GP's role is shown once")
    #expect(!lastWeek.contains("(GP) (GP"))

    let overdue = try home.get("/rounds/actions?show=overdue", as: .nurse).body
    #expect(overdue.contains("Repeat U&amp;Es and eGFR one week after the furosemide change"))
    #expect(overdue.contains("Chase audiology about the hearing aid repair"))

    let carer = try home.get("/rounds/actions", as: .carer).body
    #expect(carer.contains("Offer a drink every hour while awake"), "carers have an open care-team action in the demo")

    let agenda = try home.get("/rounds/4", as: .nurse).body
    #expect(agenda.contains("Eating less at lunch for 3 days"))
    #expect(agenda.contains("Daughter asked for a review of pain relief"))
    #expect(agenda.contains("Overdue action from an earlier round"))

    let figures = try home.get("/rounds/figures", as: .manager).body
    #expect(figures.contains("No round"))
    #expect(figures.contains("3 of 11 weeks due"))
}
