import CareKit
import CareServer
import CareTesting
import DeteriorationPlugin
import FallsLogPlugin
import Foundation
import HomeRoundPlugin
import MedicationReviewPlugin
import ResidentsPlugin
import Testing

/// Staff read plain words: no rule id, file name or internal state in what they see, nor in the text
/// pasted into the GP record. Rule ids and sources stay one tap away behind "Why?" and on the rules pages.
@Suite("Plain words on every page staff use")
struct PlainWordsTests {
    /// A rule id as the plugins write them (`MR-RECON`, `FALL-ISTUMBLE-1`, `HR-AG-FALL`, `DET-BASE-1`).
    static let ruleIDPattern = #"\b(MR|FALL|HR|DET|RES)-[A-Z0-9]+(-[A-Z0-9]+)*\b"#

    /// The page without its "Why?" disclosures (where ids belong).
    static func visible(_ body: String) -> String {
        var text = body
        while let start = text.range(of: "<details class=\"why"), let end = text.range(of: "</details>", range: start.upperBound..<text.endIndex) {
            text.removeSubrange(start.lowerBound..<end.upperBound)
        }
        // What a person reads: the text between tags, not links' addresses.
        return text.replacing(try! Regex("<[^>]*>"), with: " ")
    }

    @Test("the main pages of every plugin show no rule id, file name or internal word outside 'Why?'")
    func noRuleIDsOnPages() throws {
        let today = HomeTime.today()
        let home = try TestHome(plugins: [ResidentsPlugin(), FallsLogPlugin(), MedicationReviewPlugin(), HomeRoundPlugin(), DeteriorationPlugin()])
        try home.seedDemoData(today: today)
        let pages: [(Role, String)] = [
            (.carer, "/"), (.nurse, "/"), (.manager, "/"), (.clinician, "/"), (.nurse, "/residents"), (.nurse, "/residents/1"),
            (.nurse, "/falls"), (.nurse, "/falls/1"), (.nurse, "/falls/assessments"), (.nurse, "/falls/checks"), (.nurse, "/medication"),
            (.nurse, "/medication/residents/1"), (.nurse, "/rounds"), (.clinician, "/rounds/1"), (.clinician, "/rounds/1/residents/1"),
            (.nurse, "/deterioration"), (.nurse, "/deterioration/residents/1"), (.nurse, "/deterioration/residents/1/escalate"),
            (.nurse, "/admissions"),
        ]
        var checked = 0
        for (role, path) in pages {
            let response = try home.get(path, as: role)
            guard response.status == 200 else { continue }
            checked += 1
            let text = PlainWordsTests.visible(response.body)
            let pattern = try Regex(PlainWordsTests.ruleIDPattern)
            let found = text.matches(of: pattern).map { String(text[$0.range]) }
            #expect(found.isEmpty, "\(path) as \(role): \(Set(found).sorted())")
            for word in ["CLINICAL.md", "HAZARDS.md", ".swift", "Building"] {
                #expect(!text.contains(word), "\(path) as \(role) shows \(word)")
            }
        }
        #expect(checked >= 15, "most of the pages should open on the demo home")
        // The plain-text summaries pasted into the GP record.
        var summaries = 0
        for round in 1...4 {
            for resident in 1...16 {
                let text = try home.get("/rounds/\(round)/residents/\(resident)/summary.txt", as: .clinician)
                guard text.status == 200 else { continue }
                summaries += 1
                let pattern = try Regex(PlainWordsTests.ruleIDPattern)
                #expect(text.body.matches(of: pattern).isEmpty, "GP summary, round \(round), resident \(resident): \(text.body)")
            }
        }
        #expect(summaries >= 3, "the demo rounds should give GP summaries to check")
    }
}

/// Each person's own home screen: their own work first (issue 16).
@Suite("Home screens by role")
struct HomeScreenTests {
    static func cardTitles(_ body: String) -> [String] {
        body.components(separatedBy: "<h2").dropFirst().map { part in
            let text = part.drop { $0 != ">" }.dropFirst().prefix { $0 != "<" }
            return String(text).trimmingCharacters(in: .whitespaces)
        }
    }

    @Test("a carer's and a nurse's home screen starts with recording a fall, one tap from the form; a visiting clinician's with the round")
    func ownWorkFirst() throws {
        let home = try TestHome(plugins: [ResidentsPlugin(), FallsLogPlugin(), MedicationReviewPlugin(), HomeRoundPlugin(), DeteriorationPlugin()])
        try home.seedDemoData(today: HomeTime.today())
        let carer = HomeScreenTests.cardTitles(try home.get("/", as: .carer).body)
        #expect(Array(carer.prefix(4)) == ["A fall?", "Falls checks due now", "Observations due", "Home round"], "\(carer)")
        #expect((carer.firstIndex(of: "Admissions: 7-working-day clock") ?? Int.max) > 4, "a carer's own work comes before the admissions clock")
        let body = try home.get("/", as: .carer).body
        #expect(body.contains("href=\"/falls/new\">Record a fall</a>"))
        #expect(try home.get("/falls/new", as: .carer).body.contains("Who fell"), "the first question is one tap from the home screen")
        #expect(HomeScreenTests.cardTitles(try home.get("/", as: .nurse).body).first == "A fall?")
        #expect(HomeScreenTests.cardTitles(try home.get("/", as: .clinician).body).first == "Home round")
        #expect(HomeScreenTests.cardTitles(try home.get("/", as: .manager).body).first == "Admissions: 7-working-day clock")
    }

    @Test("a resident's page opens with every plugin's quick actions, before the record: a fall is one tap away, for that resident")
    func residentHub() throws {
        let home = try TestHome(plugins: [ResidentsPlugin(), FallsLogPlugin(), MedicationReviewPlugin(), HomeRoundPlugin(), DeteriorationPlugin()])
        try home.seedDemoData(today: HomeTime.today())
        let body = try home.get("/residents/1", as: .carer).body
        let quick = try #require(body.range(of: "<nav class=\"quick-actions\" aria-label=\"Quick actions\">"))
        let about = try #require(body.range(of: "<h2>About</h2>"))
        #expect(quick.lowerBound < about.lowerBound)
        #expect(body.contains("href=\"/falls/new?resident_id=1\">Record a fall</a>"))
        #expect(body.contains("href=\"/deterioration/residents/1/soft-signs/new\">Soft signs</a>"))
        let form = try home.get("/falls/new?resident_id=1", as: .carer).body
        #expect(form.contains("<option value=\"1\" selected>"), "the resident is already chosen")
        #expect(!(try home.get("/residents/1", as: .admin).body.contains("quick-actions")))
    }
}
