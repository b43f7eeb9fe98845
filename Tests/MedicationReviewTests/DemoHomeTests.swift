import CareKit
import CareServices
import CareTesting
import FallsLogPlugin
import Foundation
import HomeRoundPlugin
import MedicationReviewPlugin
import ResidentsPlugin
import Testing

/// The four first-party plugins together, with the registry's own demo residents.
@Suite("Medication review in the demo home", .serialized)
struct DemoHomeTests {
    static let today = Day(year: 2026, month: 11, day: 23)!

    static func demoHome() throws -> TestHome {
        let today = DemoHomeTests.today
        let home = try TestHome(plugins: [ResidentsPlugin(today: { today }), FallsLogPlugin(),
                                          HomeRoundPlugin(now: { HomeTime.startOf(today).addingTimeInterval(10 * 3600) }),
                                          MedicationReviewPlugin(today: { today })])
        try home.seedDemoData(today: today)
        return home
    }

    static func residentID(_ home: TestHome, room: String) throws -> Int64 {
        let directory = try #require(home.context.services.resolve(Services.residentDirectory))
        return try #require(try directory.currentResidents().first { $0.room == room }).id
    }

    @Test("demo residents get prompts that match their records")
    func demoPrompts() throws {
        let home = try DemoHomeTests.demoHome()
        let prompts = try #require(home.context.services.resolve(Services.medicationPrompts))
        let all = try prompts.openPrompts()
        #expect(Set(all.map(\.ruleID)).count >= 10)
        #expect(all.first?.severity == .high)
        // Dot (room 3): quetiapine in dementia with Lewy bodies.
        #expect(try prompts.openPrompts(residentID: DemoHomeTests.residentID(home, room: "3")).contains { $0.ruleID == "MR-AP-LEWY" && $0.severity == .high })
        // Edna (room 5): back from hospital, not reconciled.
        #expect(try prompts.openPrompts(residentID: DemoHomeTests.residentID(home, room: "5")).contains { $0.ruleID == "MR-RECON" && $0.severity == .high })
        // Kwame (room 6): the rescue midazolam prompt was dismissed with a reason.
        #expect(try !prompts.openPrompts(residentID: DemoHomeTests.residentID(home, room: "6")).contains { $0.ruleID == "MR-BZD-4W" })
        // Peggy (room 1): on apixaban, which the falls log needs for head-injury advice.
        let medicines = try #require(home.context.services.resolve(Services.currentMedicines))
        #expect(try medicines.antithromboticStatus(residentID: DemoHomeTests.residentID(home, room: "1")) == .anticoagulant(["Apixaban"]))
    }

    @Test("the resident page shows the medicines panel; the dashboard shows the card")
    func panelAndCard() throws {
        let home = try DemoHomeTests.demoHome()
        let id = try DemoHomeTests.residentID(home, room: "3")
        let page = try home.get("/residents/\(id)", as: .carer)
        #expect(page.status == 200)
        #expect(page.body.contains("Medicines and review prompts"))
        #expect(page.body.contains("Quetiapine"))
        let dashboard = try home.get("/", as: .nurse)
        #expect(dashboard.body.contains("Who needs a review and why"))
        let list = try home.get("/medication", as: .clinician)
        #expect(list.status == 200)
        #expect(list.body.contains("Dot Evans (room 3)"))
    }
}
