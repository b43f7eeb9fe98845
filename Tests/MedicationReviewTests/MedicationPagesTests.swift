import CareKit
import CareServices
import CareTesting
import MedicationReviewPlugin
import Testing

/// A home with the stand-in registry and the medication plugin, on a fixed day.
struct MedicationHome {
    static let today = Day(year: 2026, month: 11, day: 23)!   // Monday
    let home: TestHome
    let registry: StandInRegistry

    /// Resident 1: long-standing, Alzheimer's. Resident 2: long-standing, Lewy body dementia.
    /// Resident 3: back from hospital three days ago.
    init() throws {
        let today = MedicationHome.today
        registry = StandInRegistry([
            StandInDirectory.resident(1, "Peggy", room: "1", admitted: today.adding(days: -800), dementia: .alzheimers),
            StandInDirectory.resident(2, "Albert", room: "2", admitted: today.adding(days: -500), dementia: .lewyBody),
            StandInDirectory.resident(3, "Joan", room: "3", admitted: today.adding(days: -3), readmission: true),
        ])
        home = try TestHome(plugins: [registry, MedicationReviewPlugin(today: { today })])
        #expect(home.context(of: "medication-review") != nil, "the medication plugin did not load")
    }

    /// Adds a medicine through the page, as a nurse would.
    @discardableResult
    func add(_ residentID: Int64, _ name: String, dose: String = "1 tablet", regular: Bool = true, startedDaysAgo: Int = 300) throws -> TestResponse {
        try home.post("/medication/residents/\(residentID)/medicines/new", as: .nurse, form: [
            "name": name, "dose": dose, "route": "oral", "frequency": "once a day", "regular": regular ? "regular" : "prn",
            "started_on": MedicationHome.today.adding(days: -startedDaysAgo).iso, "indication": "test",
        ])
    }

    func review(_ residentID: Int64, extra: [String: String] = [:]) throws -> TestResponse {
        var form = ["reviewed_on": MedicationHome.today.iso, "reviewer": "Dr Test", "reviewer_role": "GP", "discussed_with": "both",
                    "discussion": "Went through each medicine", "outcome": "Reviewed", "next_review_on": MedicationHome.today.adding(months: 6).iso]
        for (key, value) in extra { form[key] = value }
        return try home.post("/medication/residents/\(residentID)/reviews/new", as: .clinician, form: form)
    }

    var prompts: any MedicationPromptSource {
        get throws { try #require(home.context.services.resolve(Services.medicationPrompts)) }
    }
    var medicines: any CurrentMedicines {
        get throws { try #require(home.context.services.resolve(Services.currentMedicines)) }
    }

    /// The id of a medicine by name on the resident's page (from its "Change" link).
    func medicineID(_ residentID: Int64, _ name: String) throws -> Int64 {
        let page = try home.get("/medication/residents/\(residentID)", as: .nurse).body
        let marker = "\">Change \(name)</a>"
        let end = try #require(page.range(of: marker))
        let start = try #require(page[..<end.lowerBound].range(of: "/medication/medicines/", options: .backwards))
        let text = page[start.upperBound..<end.lowerBound].replacingOccurrences(of: "/edit", with: "")
        return try #require(Int64(text))
    }
}

@Suite("Medication pages and services", .serialized)
struct MedicationPagesTests {
    @Test("a nurse adds a medicine: saved, listed, and an event tells other plugins")
    func addMedicine() throws {
        let h = try MedicationHome()
        let saved = try h.add(1, "Amlodipine", dose: "5 mg")
        #expect(saved.status == 303)
        #expect(saved.flash == "Medicine saved")
        let page = try h.home.get("/medication/residents/1", as: .carer)
        #expect(page.status == 200)
        #expect(page.body.contains("Amlodipine") && page.body.contains("5 mg"))
        #expect(page.body.contains("Dihydropyridine calcium-channel blocker"))
        #expect(h.home.publishedEvents.contains(.medicinesChanged(residentID: 1)))
    }

    @Test("an unknown medicine is accepted, marked unclassified and prompts to classify it")
    func unclassifiedMedicine() throws {
        let h = try MedicationHome()
        let saved = try h.add(1, "Zzyxaprine 2mg")
        #expect(saved.status == 303)
        #expect(saved.flash?.contains("unclassified") == true)
        #expect(try h.home.get("/medication/residents/1", as: .nurse).body.contains("Unclassified"))
        #expect(try h.prompts.openPrompts(residentID: 1).contains { $0.ruleID == "MR-UNCLASSIFIED" })
        #expect(try h.medicines.medicines(residentID: 1).first?.flags == [.unclassified])
    }

    @Test("a medicine form with mistakes comes back with 422, messages beside the fields and input kept")
    func invalidMedicine() throws {
        let h = try MedicationHome()
        let response = try h.home.post("/medication/residents/1/medicines/new", as: .nurse,
                                       form: ["name": "Sertraline", "dose": "", "route": "oral", "frequency": "", "regular": "regular", "started_on": "31/02/2026"])
        #expect(response.status == 422)
        #expect(response.body.contains("There is a problem"))
        #expect(response.body.contains("Enter the strength and dose"))
        #expect(response.body.contains("Enter the start date as a real date"))
        #expect(response.body.contains("value=\"Sertraline\""))
        #expect(try h.medicines.medicines(residentID: 1).isEmpty)
    }

    @Test("carers view but cannot record; the admin sees nothing")
    func roles() throws {
        let h = try MedicationHome()
        try h.add(1, "Sertraline")
        #expect(try h.home.get("/medication/residents/1", as: .carer).status == 200)
        #expect(try h.home.get("/medication", as: .carer).status == 200)
        #expect(try h.home.get("/medication/residents/1/medicines/new", as: .carer).status == 403)
        #expect(try h.home.post("/medication/residents/1/medicines/new", as: .carer, form: ["name": "Senna"]).status == 403)
        #expect(try h.home.get("/medication", as: .admin).status == 403)
        #expect(try h.home.get("/medication/residents/1", as: .admin).status == 403)
        #expect(try h.home.get("/medication/residents/1/reviews/new", as: .clinician).status == 200)
        #expect(try h.home.get("/medication/residents/1/reviews/new", as: .manager).status == 200)
    }

    @Test("changing a dose keeps the previous version; entered in error leaves the list but keeps the record")
    func versionsAndEnteredInError() throws {
        let h = try MedicationHome()
        try h.add(1, "Sertraline", dose: "50 mg")
        let id = try h.medicineID(1, "Sertraline")
        let changed = try h.home.post("/medication/medicines/\(id)/edit", as: .nurse, form: [
            "action": "amend", "version": "1", "name": "Sertraline", "dose": "100 mg", "route": "oral", "frequency": "once a day",
            "regular": "regular", "started_on": MedicationHome.today.adding(days: -300).iso, "change_note": "Dose increased by GP"])
        #expect(changed.status == 303)
        let history = try h.home.get("/medication/medicines/\(id)/edit", as: .nurse).body
        #expect(history.contains("Sertraline 50 mg oral once a day") && history.contains("Sertraline 100 mg oral once a day"))
        #expect(history.contains("Dose increased by GP"))
        // A stale form (version 1 again) is refused rather than overwriting the newer version.
        let stale = try h.home.post("/medication/medicines/\(id)/edit", as: .nurse, form: ["action": "error", "version": "1", "error_reason": "x"])
        #expect(stale.status == 409)
        let error = try h.home.post("/medication/medicines/\(id)/edit", as: .nurse, form: ["action": "error", "version": "2", "error_reason": "Wrong resident"])
        #expect(error.status == 303)
        #expect(try h.medicines.medicines(residentID: 1).isEmpty)
        let page = try h.home.get("/medication/residents/1", as: .nurse).body
        #expect(page.contains("Entered in error: Wrong resident"))
    }

    @Test("a dismissed prompt stays away until its facts change, then comes back")
    func acknowledgeAndReturn() throws {
        let h = try MedicationHome()
        for name in ["Amlodipine", "Ramipril", "Atorvastatin", "Omeprazole", "Levothyroxine", "Metformin"] { try h.add(1, name) }
        #expect(try h.prompts.openPrompts(residentID: 1).contains { $0.ruleID == "MR-POLY-6" })
        let form = try h.home.get("/medication/prompts/1-MR-POLY-6/acknowledge", as: .clinician)
        #expect(form.status == 200 && form.body.contains("6 long-term regular medicines"))
        let nurseDismiss = try h.home.post("/medication/prompts/1-MR-POLY-6/acknowledge", as: .nurse, form: ["decision": "dismissed", "reason": "Fine"])
        #expect(nurseDismiss.status == 422 && nurseDismiss.body.contains("Only a visiting clinician"))
        let missingReason = try h.home.post("/medication/prompts/1-MR-POLY-6/acknowledge", as: .clinician, form: ["decision": "dismissed", "reason": ""])
        #expect(missingReason.status == 422)
        let dismissed = try h.home.post("/medication/prompts/1-MR-POLY-6/acknowledge", as: .clinician,
                                        form: ["decision": "dismissed", "reason": "All indicated; reviewed at the round"])
        #expect(dismissed.status == 303 && dismissed.flash == "Prompt dismissed")
        let audited = try h.home.context.database.read {
            try $0.query("SELECT username, action FROM core_audit WHERE resident_id = 1 AND detail = 'prompt MR-POLY-6 dismissed'")
        }
        #expect(audited.first?.string("username") == "test-clinician" && audited.first?.string("action") == "amend")
        #expect(try !h.prompts.openPrompts(residentID: 1).contains { $0.ruleID == "MR-POLY-6" })
        #expect(try h.home.get("/medication/residents/1", as: .nurse).body.contains("All indicated; reviewed at the round"))
        // A new medicine changes the facts: the prompt is back, saying why.
        try h.add(1, "Bisoprolol")
        #expect(try h.prompts.openPrompts(residentID: 1).contains { $0.ruleID == "MR-POLY-6" })
        #expect(try h.home.get("/medication/residents/1", as: .nurse).body.contains("Back because the facts changed"))
    }

    @Test("the home screen's card links each resident's most urgent prompt to where it is acted on, for those who decide; a nurse's only decision comes chosen")
    func promptOneTapFromTheHomeScreen() throws {
        let h = try MedicationHome()
        for name in ["Amlodipine", "Ramipril", "Atorvastatin", "Omeprazole", "Levothyroxine", "Metformin"] { try h.add(1, name) }
        let first = try #require(try h.prompts.openPrompts(residentID: 1).first)
        let decision = "/medication/prompts/1-\(first.ruleID)/acknowledge"
        #expect(try h.home.get("/", as: .nurse).body.contains("href=\"\(decision)\""))
        #expect(!(try h.home.get("/", as: .carer).body.contains("/acknowledge\"")), "carers see the prompt, without the link to decide it")
        #expect(try h.home.get(decision, as: .nurse).body.contains("value=\"acknowledged\" checked"))
        let clinician = try h.home.get(decision, as: .clinician).body
        #expect(!clinician.contains("value=\"acknowledged\" checked") && clinician.contains("value=\"dismissed\""), "a clinician chooses between the two")
    }

    @Test("a fall heard from the falls plugin raises a high prompt for a resident on a falls-risk drug")
    func fallEvent() throws {
        let h = try MedicationHome()
        try h.add(1, "Zopiclone", startedDaysAgo: 10)
        #expect(try !h.prompts.openPrompts(residentID: 1).contains { $0.ruleID == "MR-FALLS-AFTER-FALL" })
        let context = try #require(h.home.context(of: "medication-review"))
        try context.database.write { $0.publishAfterCommit(.fallRecorded(residentID: 1, fallID: 41, at: HomeTime.startOf(MedicationHome.today), headStrike: false, injured: false)) }
        let prompt = try #require(try h.prompts.openPrompts(residentID: 1).first { $0.ruleID == "MR-FALLS-AFTER-FALL" })
        #expect(prompt.severity == .high)
        #expect(prompt.reason.contains("Zopiclone"))
    }

    @Test("a structured review stops, changes and starts medicines, publishes its event and clears the overdue prompt")
    func structuredReview() throws {
        let h = try MedicationHome()
        try h.add(1, "Amitriptyline", dose: "10 mg")
        try h.add(1, "Omeprazole", dose: "20 mg")
        #expect(try h.prompts.openPrompts(residentID: 1).contains { $0.ruleID == "MR-SMR-12M" })
        let amitriptyline = try h.medicineID(1, "Amitriptyline")
        let omeprazole = try h.medicineID(1, "Omeprazole")
        let saved = try h.review(1, extra: ["change_\(amitriptyline)": "stop", "change_\(omeprazole)": "change", "dose_\(omeprazole)": "10 mg",
                                             "start_name": "Senna", "start_dose": "7.5 mg", "start_route": "oral", "start_frequency": "at night",
                                             "start_regular": "prn"])
        #expect(saved.status == 303 && saved.flash == "Structured medication review saved")
        let current = try h.medicines.medicines(residentID: 1)
        #expect(current.map(\.name).sorted() == ["Omeprazole", "Senna"])
        #expect(current.first { $0.name == "Omeprazole" }?.directions.hasPrefix("10 mg") == true)
        #expect(h.home.publishedEvents.contains(.medicationReviewCompleted(residentID: 1, on: MedicationHome.today)))
        #expect(try !h.prompts.openPrompts(residentID: 1).contains { $0.ruleID == "MR-SMR-12M" })
        let page = try h.home.get("/medication/residents/1", as: .carer).body
        #expect(page.contains("Stopped: Amitriptyline") && page.contains("Changed: Omeprazole: 20 mg → 10 mg") && page.contains("Started: Senna"))
    }

    @Test("a review marked entered in error stops counting, so its prompt comes back; the record is kept")
    func reviewEnteredInError() throws {
        let h = try MedicationHome()
        try h.add(1, "Omeprazole")
        #expect(try h.review(1).status == 303)
        #expect(try !h.prompts.openPrompts(residentID: 1).contains { $0.ruleID == "MR-SMR-12M" })
        let page = try h.home.get("/medication/residents/1", as: .nurse).body
        let link = try #require(page.range(of: "/medication/reviews/[0-9]+/entered-in-error", options: .regularExpression))
        let path = String(page[link])
        #expect(try h.home.post(path, as: .carer, form: ["reason": "x"]).status == 403)
        #expect(try h.home.post(path, as: .nurse, form: ["reason": ""]).status == 422)
        let marked = try h.home.post(path, as: .nurse, form: ["reason": "Recorded for the wrong resident"])
        #expect(marked.status == 303)
        #expect(try h.prompts.openPrompts(residentID: 1).contains { $0.ruleID == "MR-SMR-12M" })
        let count = try h.home.context.database.read { try $0.scalar("SELECT count(*) FROM medication_review_reviews WHERE entered_in_error = 1") }
        #expect(count == 1)
        #expect(try h.home.post(path, as: .nurse, form: ["reason": "again"]).status == 404)
    }

    @Test("a review form without an outcome or a next review date is refused and changes nothing")
    func invalidReview() throws {
        let h = try MedicationHome()
        try h.add(1, "Amitriptyline")
        let id = try h.medicineID(1, "Amitriptyline")
        let refused = try h.review(1, extra: ["outcome": "", "next_review_on": "", "change_\(id)": "stop"])
        #expect(refused.status == 422)
        #expect(refused.body.contains("Enter the outcome of the review"))
        #expect(try h.medicines.medicines(residentID: 1).count == 1)
        #expect(!h.home.publishedEvents.contains(.medicationReviewCompleted(residentID: 1, on: MedicationHome.today)))
    }

    @Test("a return from hospital needs a reconciliation; recording one clears the high prompt")
    func reconciliation() throws {
        let h = try MedicationHome()
        let prompt = try #require(try h.prompts.openPrompts(residentID: 3).first { $0.ruleID == "MR-RECON" })
        #expect(prompt.severity == .high && prompt.reason.hasPrefix("Returned from hospital"))
        let saved = try h.home.post("/medication/residents/3/reconciliation", as: .nurse, fields: [
            ("reconciled_on", MedicationHome.today.iso), ("trigger", "hospital-return"), ("trigger_on", MedicationHome.today.adding(days: -3).iso),
            ("sources", "Hospital discharge letter"), ("sources", "GP record or Summary Care Record"), ("discrepancies_found", "yes"),
            ("discrepancies", "Furosemide dose differs; GP confirmed 40 mg"), ("reconciled_by", "Nurse Test"), ("reconciled_by_role", "Registered nurse")])
        #expect(saved.status == 303)
        #expect(try !h.prompts.openPrompts(residentID: 3).contains { $0.ruleID == "MR-RECON" })
        #expect(try h.home.get("/medication/residents/3", as: .nurse).body.contains("Furosemide dose differs"))
    }

    @Test("antithrombotic status for head-injury advice: anticoagulant, antiplatelet, aspirin alone, none")
    func antithrombotic() throws {
        let h = try MedicationHome()
        #expect(try h.medicines.antithromboticStatus(residentID: 1) == .none)
        try h.add(1, "Aspirin", dose: "75 mg")
        #expect(try h.medicines.antithromboticStatus(residentID: 1) == .aspirinAlone)
        try h.add(1, "Clopidogrel", dose: "75 mg")
        #expect(try h.medicines.antithromboticStatus(residentID: 1) == .antiplatelet(["Aspirin", "Clopidogrel"]))
        try h.add(1, "Eliquis", dose: "2.5 mg")
        #expect(try h.medicines.antithromboticStatus(residentID: 1) == .anticoagulant(["Eliquis"]))
    }

    @Test("home-wide list is most urgent first and explains why; the rules page shows versions and sources")
    func homeWideAndRules() throws {
        let h = try MedicationHome()
        try h.add(2, "Quetiapine", dose: "25 mg")          // Lewy body dementia: high
        let list = try h.home.get("/medication", as: .nurse)
        #expect(list.status == 200)
        let albert = try #require(list.body.range(of: "Albert Test"))
        let peggy = try #require(list.body.range(of: "Peggy Test"))
        #expect(albert.lowerBound < peggy.lowerBound)
        #expect(list.body.contains("Antipsychotic with Lewy body or Parkinson&#39;s disease dementia"))
        let prompts = try h.prompts.openPrompts()
        #expect(prompts.first?.severity == .high)
        let rules = try h.home.get("/medication/rules", as: .carer)
        #expect(rules.status == 200)
        #expect(rules.body.contains(MedicationRule.ruleSetVersion))
        #expect(rules.body.contains(try DrugTable.shipped().version))
        for rule in MedicationRule.all { #expect(rules.body.contains(rule.id)) }
        #expect(rules.body.contains("Seppala"))
    }

    @Test("demo medicines give a realistic spread of prompts")
    func demoSpread() throws {
        let h = try MedicationHome()
        try h.home.seedDemoData(today: MedicationHome.today)
        let prompts = try h.prompts.openPrompts()
        let rules = Set(prompts.map(\.ruleID))
        #expect(rules.count >= 6)
        #expect(prompts.contains { $0.severity == .high })
        #expect(prompts.contains { $0.severity == .consider })
        #expect(try h.medicines.medicines(residentID: 1).count >= 5)
    }
}
