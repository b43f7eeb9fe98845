import CareKit
import CareTesting
import FallsLogPlugin
import Foundation
import MedicationReviewPlugin
import ResidentsPlugin
import Testing

/// The home-wide prompt list is kept between views (it costs a query set per resident), so these check
/// that no save — by this plugin or another — leaves a stale list on the page.
@Suite("Home-wide prompts, kept between views", .serialized)
struct HomeWideCacheTests {
    static let today = HomeTime.today()

    func demo() throws -> TestHome {
        let today = HomeWideCacheTests.today
        let home = try TestHome(plugins: [ResidentsPlugin(today: { today }), FallsLogPlugin(), MedicationReviewPlugin(today: { today })])
        try home.seedDemoData(today: today)
        return home
    }

    /// How many open prompts the list says a resident has: the one shown, and "and N more".
    func promptCount(_ body: String, _ resident: Int64) -> Int {
        let marker = "<a href=\"/medication/residents/\(resident)\">and "
        guard let range = body.range(of: marker) else { return body.contains("/medication/residents/\(resident)\"") ? 1 : 0 }
        return 1 + (Int(body[range.upperBound...].prefix { $0.isNumber }) ?? 0)
    }

    /// Residents on the list, by their page's id, in the order shown.
    func listed(_ body: String) -> [Int64] {
        body.components(separatedBy: "<a href=\"/medication/residents/").dropFirst().compactMap { Int64($0.prefix { $0.isNumber }) }
    }

    @Test("a resident the registry records as gone leaves the list on the next view")
    func registrySave() throws {
        let home = try demo()
        let before = try home.get("/medication", as: .nurse)
        #expect(before.status == 200)
        let residents = listed(before.body)
        let gone = try #require(residents.first, "the demo should have residents with prompts")
        #expect(listed(try home.get("/medication", as: .nurse).body) == residents, "viewing again shows the same list")
        let registry = try #require(home.context(of: "residents"))
        try registry.database.write { try $0.execute("UPDATE residents_residents SET status = 'left' WHERE id = ?", [.integer(gone)]) }
        let after = listed(try home.get("/medication", as: .nurse).body)
        #expect(!after.contains(gone))
        #expect(after == residents.filter { $0 != gone })
    }

    @Test("a new medicine's prompt (not in the drug table) is on the list straight after saving it")
    func ownSave() throws {
        let home = try demo()
        let before = try home.get("/medication", as: .nurse).body
        #expect(!before.contains("Unlisted herbal tonic"))
        #expect(promptCount(before, try #require(listed(before).last)) >= 1)
        let resident = try #require(listed(before).last)
        let saved = try home.post("/medication/residents/\(resident)/medicines/new", as: .nurse, form: [
            "name": "Unlisted herbal tonic", "dose": "5 ml", "route": "oral", "frequency": "once a day", "regular": "regular",
            "started_on": HomeWideCacheTests.today.adding(days: -2).iso, "indication": "family request",
        ])
        #expect(saved.status == 303)
        // One line per resident: the new prompt shows as one more behind the most urgent.
        #expect(promptCount(try home.get("/medication", as: .nurse).body, resident) == promptCount(before, resident) + 1)
    }
}
