import Foundation
import Testing
import CareKit
import CareTesting
import ResidentsPlugin
@testable import FallsLogPlugin

@Suite("Falls log across a resident's stay: hospital and return")
struct FallsJourneyTests {
    /// Completes the resident's falls assessment with no problem found.
    func completeAssessment(_ h: FallsHome, resident: Int64) throws {
        var form = [String: String]()
        for component in AssessmentComponent.allCases { form["\(component.rawValue)-problem"] = "no" }
        let saved = try h.home.post("/falls/assessments/\(resident)", as: .nurse, form: form)
        try #require(saved.status == 303)
    }

    /// Records a movement through the registry's form, as a nurse does, today.
    func move(_ h: FallsHome, resident: Int64, _ kind: String) throws {
        let moved = try h.home.post("/residents/\(resident)/movements", as: .nurse, form: ["kind": kind, "on_day": HomeTime.today().iso])
        try #require(moved.status == 303, "movement not recorded: \(moved.body.prefix(500))")
    }

    @Test("coming back from hospital prompts a falls reassessment, shown with its reason and source, and never a second one while one waits")
    func returnFromHospitalPromptsReassessment() throws {
        let h = try FallsHome(residents: 1)
        let resident = h.residentIDs[0]
        try completeAssessment(h, resident: resident)
        let link = "/falls/assessments/\(resident)\""
        #expect(try h.home.get("/falls/assessments", as: .nurse).body.occurrences(of: link) == 0)

        try move(h, resident: resident, "went-to-hospital")
        #expect(try h.home.get("/falls/assessments", as: .nurse).body.occurrences(of: link) == 0, "going to hospital prompts nothing")
        try move(h, resident: resident, "returned-from-hospital")

        let list = try h.home.get("/falls/assessments", as: .nurse).body
        #expect(list.occurrences(of: link) == 1)
        // Plain words first; the rule id and its source behind "Why?".
        #expect(list.contains("Prompted on return from hospital<details class=\"why\"><summary>Why?</summary><p class=\"rule-source\">Rule FALL-NG249-2."))
        #expect(!list.contains("[FALL-NG249-2]"))
        let page = try h.home.get("/falls/assessments/\(resident)", as: .nurse).body
        #expect(page.contains("Falls assessment due on return from hospital"))
        #expect(page.contains("Coming back from hospital is a re-admission"))
        #expect(page.contains("NICE NG249 (2025)"))
        #expect(page.contains("Prompted \(HomeTime.today().display)."))
        #expect(try h.home.get("/residents/\(resident)", as: .carer).body.contains("Falls assessment due on return from hospital"))

        // A second stay before the reassessment is done: still one prompt.
        try move(h, resident: resident, "went-to-hospital")
        try move(h, resident: resident, "returned-from-hospital")
        #expect(try h.home.get("/falls/assessments", as: .nurse).body.occurrences(of: link) == 1)

        try completeAssessment(h, resident: resident)
        let done = try h.home.get("/falls/assessments/\(resident)", as: .nurse).body
        #expect(done.contains("(on return from hospital)"), "the completed assessment says why it was done")
    }
}
