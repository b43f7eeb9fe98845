import Foundation
import Testing
import CareKit
import CareTesting
import ResidentsPlugin
@testable import FallsLogPlugin

@Suite("Amending a completed falls assessment")
struct FallsAssessmentAmendTests {
    /// Every component answered "no problem", except vision with a finding and an action.
    static func form(visionAction: String) -> [String: String] {
        var form = [String: String]()
        for component in AssessmentComponent.allCases { form["\(component.rawValue)-problem"] = "no" }
        form["vision-problem"] = "yes"
        form["vision-finding"] = "Glasses lost"
        form["vision-action"] = visionAction
        return form
    }

    @Test("a nurse amends a completed falls assessment with a reason; the earlier version is kept with who, when and why, and the amendment is audited")
    func amendKeepsEarlierVersion() throws {
        let h = try FallsHome(residents: 1)
        let resident = h.residentIDs[0]
        let saved = try h.home.post("/falls/assessments/\(resident)", as: .nurse, form: Self.form(visionAction: "Optician booked for Friday"))
        try #require(saved.status == 303)
        let page = try h.home.get("/falls/assessments/\(resident)", as: .nurse).body
        let prefix = "/falls/assessments/\(resident)/"
        let link = try #require(page.range(of: prefix).flatMap { start in page[start.upperBound...].split(separator: "/").first.map(String.init) })
        let amendPath = prefix + link + "/amend"
        #expect(page.contains("href=\"\(amendPath)\""), "the completed assessment offers an amendment")

        let form = try h.home.get(amendPath, as: .nurse)
        #expect(form.status == 200)
        #expect(form.body.contains("Optician booked for Friday"), "the form starts from the current findings")

        // No reason: refused, with the values kept and the reason asked for beside the field.
        var amended = Self.form(visionAction: "New glasses ordered; optician found a new prescription")
        amended["version"] = "1"
        let refused = try h.home.post(amendPath, as: .nurse, form: amended)
        #expect(refused.status == 422)
        #expect(refused.body.contains("Say why you are amending the assessment"))
        #expect(refused.body.contains("New glasses ordered; optician found a new prescription"))
        #expect(try h.home.post(amendPath, as: .carer, form: amended).status == 403)

        amended["reason"] = "Optician visited on Friday: new prescription"
        let done = try h.home.post(amendPath, as: .nurse, form: amended)
        #expect(done.status == 303)
        #expect(done.flash == "Falls assessment amended: the earlier version is kept")

        let after = try h.home.get("/falls/assessments/\(resident)", as: .nurse).body
        #expect(after.contains("New glasses ordered; optician found a new prescription"))
        #expect(after.contains("Version 2: amended by Test Nurse"))
        #expect(after.contains("Why: Optician visited on Friday: new prescription"))
        #expect(after.contains("Earlier versions (1)"))
        #expect(after.contains("Version 1, completed by Test Nurse"))
        #expect(after.contains("Optician booked for Friday"), "the first version is still there to read")

        // A second person working from version 1 is told, and nothing is overwritten.
        amended["vision-action"] = "Something else"
        #expect(try h.home.post(amendPath, as: .nurse, form: amended).status == 409)
        #expect(!(try h.home.get("/falls/assessments/\(resident)", as: .nurse).body.contains("Something else")))

        let audit = try h.home.get("/audit?resident=\(resident)", as: .manager).body
        #expect(audit.contains("falls assessment \(link) amended to version 2"))
    }
}
