import Testing
import CareKit
import CareServices
import CareTesting
import Foundation
import ResidentsPlugin
import FallsLogPlugin
import MedicationReviewPlugin
@testable import HomeRoundPlugin

/// The four real plugins, seeded as `carehome demo` seeds them, on Monday 23 Nov 2026.
func demoHome(clock: TestClock) throws -> TestHome {
    let home = try TestHome(plugins: [ResidentsPlugin(), FallsLogPlugin(), MedicationReviewPlugin(), HomeRoundPlugin(now: { clock.now })])
    try home.seedDemoData(today: day("2026-11-23"))
    return home
}

@Test("with the real registry, falls log and medication plugins, the open round's agenda carries their signals")
func agendaWithRealPlugins() throws {
    let clock = TestClock("2026-11-23T10:00")
    let home = try demoHome(clock: clock)
    #expect(home.statuses.count == 4)
    let rounds = try home.get("/rounds", as: .nurse)
    #expect(rounds.status == 200)
    guard let open = try RoundStore(database: try #require(home.context(of: "home-round")).database).openRound() else {
        Issue.record("no open round in the demo"); return
    }
    let agenda = try home.get(open.path, as: .clinician)
    #expect(agenda.status == 200)
    #expect(!agenda.body.contains("is not loaded"))
    #expect(agenda.body.contains("Fall") || agenda.body.contains("medication review prompt"))
    try? agenda.body.write(toFile: "/tmp/hr-real-agenda.html", atomically: true, encoding: .utf8)
}

@Test("a resident's page carries the round panel, and its form puts the resident on the next round")
func residentPanelOnRealPage() throws {
    let clock = TestClock("2026-11-23T10:00")
    let home = try demoHome(clock: clock)
    let page = try home.get("/residents/1", as: .carer)
    #expect(page.status == 200)
    #expect(page.body.contains("Add to the next round"))
    let raised = try home.post("/rounds/concerns", as: .carer, form: ["resident_id": "1", "reason": "Coughing when drinking tea"])
    #expect(raised.status == 303)
    #expect(try home.get("/residents/1", as: .nurse).body.contains("Coughing when drinking tea"))
}

@Test("the demo's past rounds only discuss residents who already lived in the home on the round's day")
func demoStoriesFitTheRegistry() throws {
    let clock = TestClock("2026-11-23T10:00")
    let home = try demoHome(clock: clock)
    let context = try #require(home.context(of: "home-round"))
    let directory = try #require(context.services.resolve(Services.residentDirectory))
    let store = RoundStore(database: context.database)
    let closed = try store.rounds().filter(\.isClosed)
    #expect(closed.count == 3)
    for round in closed {
        for item in try store.finalAgenda(round: round.id) {
            let resident = try #require(try directory.resident(id: item.residentID))
            #expect((resident.admittedOn ?? round.day) < round.day, "\(resident.label) discussed on \(round.day.display) before being admitted")
        }
    }
}
