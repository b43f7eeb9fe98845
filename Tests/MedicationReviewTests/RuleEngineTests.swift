import CareKit
import CareServices
import MedicationReviewPlugin
import Testing

/// Builds facts for the rules from names as staff would type them.
struct RuleFixture {
    let table: DrugTable
    let today = Day(year: 2026, month: 11, day: 23)!   // a Monday
    var nextID: Int64 = 1

    init() throws { table = try DrugTable.shipped() }

    mutating func medicine(_ name: String, prn: Bool = false, startedDaysAgo: Int = 200, plannedStopInDays: Int? = nil) -> MedicineFacts {
        defer { nextID += 1 }
        let start = today.adding(days: -startedDaysAgo)
        return MedicineFacts(id: nextID, name: name, drug: table.lookup(name), asNeeded: prn, startedOn: start,
                             plannedStop: plannedStopInDays.map { today.adding(days: $0) })
    }

    mutating func medicines(_ names: [String]) -> [MedicineFacts] { names.map { medicine($0) } }

    /// Facts for a long-standing resident reviewed recently, so that only the rule under test speaks.
    func facts(_ medicines: [MedicineFacts], dementia: DementiaType = .noDementia, falls: [(id: Int64, day: Day)] = []) -> ResidentFacts {
        ResidentFacts(residentID: 1, today: today, dementia: dementia, medicines: medicines,
                      latestAdmission: today.adding(days: -800), reviewDates: [today.adding(days: -10)],
                      reconciliationDates: [today.adding(days: -799)], falls: falls)
    }

    func ids(_ findings: [RuleFinding]) -> [String] { findings.map(\.rule.id) }
}

@Suite("Medication rules")
struct RuleEngineTests {
    @Test("polypharmacy: 5 medicines no prompt, 6 consider, 9 consider, 10 high")
    func polypharmacyBoundaries() throws {
        var f = try RuleFixture()
        let ten = ["Amlodipine", "Ramipril", "Atorvastatin", "Omeprazole", "Levothyroxine", "Metformin",
                   "Sertraline", "Alendronic acid", "Colecalciferol", "Bisoprolol"]
        let meds = f.medicines(ten)
        #expect(!f.ids(RuleEngine.evaluate(f.facts(Array(meds.prefix(5))))).contains { $0.hasPrefix("MR-POLY") })
        let six = RuleEngine.evaluate(f.facts(Array(meds.prefix(6))))
        #expect(f.ids(six).contains("MR-POLY-6"))
        #expect(six.first { $0.rule.id == "MR-POLY-6" }?.severity == .consider)
        #expect(f.ids(RuleEngine.evaluate(f.facts(Array(meds.prefix(9))))).contains("MR-POLY-6"))
        let all = RuleEngine.evaluate(f.facts(meds))
        #expect(f.ids(all).contains("MR-POLY-10") && !f.ids(all).contains("MR-POLY-6"))
        let finding = try #require(all.first { $0.rule.id == "MR-POLY-10" })
        #expect(finding.severity == .high)
        #expect(finding.reason.hasPrefix("10 long-term regular medicines in BNF chapters 1–4 and 6–10"))
    }

    @Test("polypharmacy does not count PRN, short courses, antibiotics, creams or a medicine entered twice")
    func polypharmacyCounting() throws {
        var f = try RuleFixture()
        var meds = f.medicines(["Amlodipine", "Ramipril", "Atorvastatin", "Omeprazole", "Levothyroxine"])
        meds.append(f.medicine("Paracetamol", prn: true))
        meds.append(f.medicine("Prednisolone", startedDaysAgo: 2, plannedStopInDays: 26))   // 28-day course
        meds.append(f.medicine("Nitrofurantoin"))     // chapter 5
        meds.append(f.medicine("Zerobase"))           // chapter 13
        meds.append(f.medicine("Latanoprost"))        // chapter 11
        meds.append(f.medicine("Amlodipine 5mg"))     // same medicine again
        #expect(!f.ids(RuleEngine.evaluate(f.facts(meds))).contains { $0.hasPrefix("MR-POLY") })
        // A 29-day course is long-term.
        meds.append(f.medicine("Trimethoprim"))
        meds.append(f.medicine("Dexamethasone", startedDaysAgo: 2, plannedStopInDays: 27))
        let findings = RuleEngine.evaluate(f.facts(meds))
        #expect(f.ids(findings).contains("MR-POLY-6"))
    }

    @Test("anticholinergic burden: total 2 no prompt, total 3 prompts, two medicines scoring 2 prompt")
    func acbBoundaries() throws {
        var f = try RuleFixture()
        let two = f.medicines(["Furosemide", "Warfarin"])                       // 1 + 1
        #expect(!f.ids(RuleEngine.evaluate(f.facts(two))).contains("MR-ACB"))
        let three = two + [f.medicine("Codeine phosphate")]                      // 3
        let finding = try #require(RuleEngine.evaluate(f.facts(three)).first { $0.rule.id == "MR-ACB" })
        #expect(finding.reason.hasPrefix("ACB total 3"))
        let amitriptyline = f.medicines(["Amitriptyline"])                       // 3 alone
        #expect(f.ids(RuleEngine.evaluate(f.facts(amitriptyline))).contains("MR-ACB"))
        let twoScoringTwo = f.medicines(["Carbamazepine", "Amantadine"])         // 2 + 2: both reasons
        let both = try #require(RuleEngine.evaluate(f.facts(twoScoringTwo)).first { $0.rule.id == "MR-ACB" })
        #expect(both.reason.contains("2 medicines score 2 or 3"))
    }

    @Test("falls-risk drugs: 2 no prompt, 3 prompt; any after a fall in the last 30 days, not 31")
    func fallsRisk() throws {
        var f = try RuleFixture()
        let two = f.medicines(["Zopiclone", "Furosemide"])
        #expect(!f.ids(RuleEngine.evaluate(f.facts(two))).contains("MR-FALLS-3"))
        let three = two + [f.medicine("Tamsulosin")]
        #expect(f.ids(RuleEngine.evaluate(f.facts(three))).contains("MR-FALLS-3"))
        let one = f.medicines(["Sertraline"])
        let day30 = RuleEngine.evaluate(f.facts(one, falls: [(id: 7, day: f.today.adding(days: -30))]))
        #expect(day30.first { $0.rule.id == "MR-FALLS-AFTER-FALL" }?.severity == .high)
        let day31 = RuleEngine.evaluate(f.facts(one, falls: [(id: 7, day: f.today.adding(days: -31))]))
        #expect(!f.ids(day31).contains("MR-FALLS-AFTER-FALL"))
        let noRiskDrug = RuleEngine.evaluate(f.facts(f.medicines(["Amlodipine"]), falls: [(id: 7, day: f.today)]))
        #expect(!f.ids(noRiskDrug).contains("MR-FALLS-AFTER-FALL"))
    }

    @Test("a new fall changes the fingerprint of the after-a-fall prompt")
    func newFallNewFingerprint() throws {
        var f = try RuleFixture()
        let meds = f.medicines(["Sertraline"])
        let first = try #require(RuleEngine.evaluate(f.facts(meds, falls: [(id: 7, day: f.today.adding(days: -3))])).first)
        let second = try #require(RuleEngine.evaluate(f.facts(meds, falls: [(id: 7, day: f.today.adding(days: -3)), (id: 9, day: f.today)])).first)
        #expect(first.rule.id == "MR-FALLS-AFTER-FALL" && second.rule.id == "MR-FALLS-AFTER-FALL")
        #expect(first.fingerprint != second.fingerprint)
        #expect(first.fingerprint == (try #require(RuleEngine.evaluate(f.facts(meds, falls: [(id: 7, day: f.today.adding(days: -3))])).first)).fingerprint)
    }

    @Test("antipsychotic with dementia: review due at 42 days, not 41; none without dementia")
    func antipsychoticReviewInterval() throws {
        var f = try RuleFixture()
        let started41 = [f.medicine("Risperidone", startedDaysAgo: 41)]
        var facts = f.facts(started41, dementia: .alzheimers)
        facts.reviewDates = []
        facts.latestAdmission = nil
        #expect(!f.ids(RuleEngine.evaluate(facts)).contains("MR-AP-DEM"))
        facts.medicines = [f.medicine("Risperidone", startedDaysAgo: 42)]
        let due = try #require(RuleEngine.evaluate(facts).first { $0.rule.id == "MR-AP-DEM" })
        #expect(due.severity == .moderate)
        #expect(due.reason.contains("Review due every 6 weeks"))
        // A review 41 days ago keeps it quiet; 42 days ago it is due again.
        facts.reviewDates = [f.today.adding(days: -41)]
        #expect(!f.ids(RuleEngine.evaluate(facts)).contains("MR-AP-DEM"))
        facts.reviewDates = [f.today.adding(days: -42)]
        #expect(f.ids(RuleEngine.evaluate(facts)).contains("MR-AP-DEM"))
        facts.dementia = .noDementia
        #expect(!f.ids(RuleEngine.evaluate(facts)).contains("MR-AP-DEM"))
    }

    @Test("antipsychotic with Lewy body or Parkinson's dementia is a high alert even when just reviewed")
    func lewyBody() throws {
        var f = try RuleFixture()
        for type in [DementiaType.lewyBody, .parkinsons] {
            let findings = RuleEngine.evaluate(f.facts([f.medicine("Quetiapine", prn: true)], dementia: type))
            let alert = try #require(findings.first)
            #expect(alert.rule.id == "MR-AP-LEWY" && alert.severity == .high)
        }
        #expect(!f.ids(RuleEngine.evaluate(f.facts([f.medicine("Quetiapine")], dementia: .vascular))).contains("MR-AP-LEWY"))
    }

    @Test("regular opioid without a laxative prompts; a laxative or PRN-only opioid does not")
    func opioidLaxative() throws {
        var f = try RuleFixture()
        #expect(f.ids(RuleEngine.evaluate(f.facts(f.medicines(["Butec 10 micrograms/hour patch"])))).contains("MR-OPIOID-LAX"))
        let withLaxative = f.medicines(["Butec", "Laxido"])
        #expect(!f.ids(RuleEngine.evaluate(f.facts(withLaxative))).contains("MR-OPIOID-LAX"))
        #expect(!f.ids(RuleEngine.evaluate(f.facts([f.medicine("Oramorph", prn: true)]))).contains("MR-OPIOID-LAX"))
    }

    @Test("benzodiazepine or Z-drug: 28 days no prompt, 29 days prompt")
    func benzodiazepineBoundary() throws {
        var f = try RuleFixture()
        #expect(!f.ids(RuleEngine.evaluate(f.facts([f.medicine("Lorazepam", startedDaysAgo: 28)]))).contains("MR-BZD-4W"))
        let finding = try #require(RuleEngine.evaluate(f.facts([f.medicine("Zopiclone", startedDaysAgo: 29)])).first { $0.rule.id == "MR-BZD-4W" })
        #expect(finding.reason.contains("29 days"))
    }

    @Test("two medicines of one class or one ingredient prompt; regular plus PRN of one drug does not")
    func sameClass() throws {
        var f = try RuleFixture()
        #expect(f.ids(RuleEngine.evaluate(f.facts(f.medicines(["Omeprazole", "Lansoprazole"])))).contains("MR-DUP-CLASS"))
        let paracetamol = try #require(RuleEngine.evaluate(f.facts(f.medicines(["Paracetamol", "Co-codamol 8/500"]))).first { $0.rule.id == "MR-DUP-CLASS" })
        #expect(paracetamol.reason.contains("paracetamol in Paracetamol and Co-codamol 8/500"))
        let morphine = [f.medicine("MST Continus"), f.medicine("Oramorph", prn: true)]
        #expect(!f.ids(RuleEngine.evaluate(f.facts(morphine))).contains("MR-DUP-CLASS"))
        #expect(f.ids(RuleEngine.evaluate(f.facts(f.medicines(["Amlodipine", "Amlodipine 10mg"])))).contains("MR-DUP-CLASS"))
        #expect(!f.ids(RuleEngine.evaluate(f.facts(f.medicines(["Amlodipine", "Ramipril"])))).contains("MR-DUP-CLASS"))
    }

    @Test("sick-day medicines: one no prompt, two prompt")
    func sickDay() throws {
        var f = try RuleFixture()
        #expect(!f.ids(RuleEngine.evaluate(f.facts(f.medicines(["Ramipril"])))).contains("MR-SICK-DAY"))
        let two = try #require(RuleEngine.evaluate(f.facts(f.medicines(["Ramipril", "Metformin"]))).first { $0.rule.id == "MR-SICK-DAY" })
        #expect(two.severity == .consider)
    }

    @Test("an unclassified medicine raises its own prompt and is named")
    func unclassified() throws {
        var f = try RuleFixture()
        let finding = try #require(RuleEngine.evaluate(f.facts(f.medicines(["Amlodipine", "Zzyxaprine 2mg"]))).first { $0.rule.id == "MR-UNCLASSIFIED" })
        #expect(finding.reason.contains("Zzyxaprine 2mg"))
        #expect(!f.ids(RuleEngine.evaluate(f.facts(f.medicines(["Amlodipine"])))).contains("MR-UNCLASSIFIED"))
    }

    @Test("last review exactly 12 months ago is not overdue; one day more is")
    func reviewOverdue() throws {
        let f = try RuleFixture()
        var facts = f.facts([])
        facts.reviewDates = [f.today.adding(months: -12)]
        #expect(!f.ids(RuleEngine.evaluate(facts)).contains("MR-SMR-12M"))
        facts.reviewDates = [f.today.adding(months: -12).adding(days: -1)]
        let finding = try #require(RuleEngine.evaluate(facts).first { $0.rule.id == "MR-SMR-12M" })
        #expect(finding.reason.contains("12 months ago"))
        facts.reviewDates = []
        #expect(f.ids(RuleEngine.evaluate(facts)).contains("MR-SMR-12M"))
    }

    @Test("admission: SMR flag due within 7 working days, high once overdue, gone once reviewed")
    func admissionWindow() throws {
        let f = try RuleFixture()
        let calendar = WorkingCalendar()
        // Admitted Monday 16 Nov 2026: the 7th working day is Wednesday 25 Nov.
        let admitted = Day(year: 2026, month: 11, day: 16)!
        var facts = ResidentFacts(residentID: 1, today: f.today, latestAdmission: admitted, calendar: calendar)
        #expect(calendar.admissionDeadline(admittedOn: admitted) == Day(year: 2026, month: 11, day: 25)!)
        let due = try #require(RuleEngine.evaluate(facts).first { $0.rule.id == "MR-ADM-SMR" })
        #expect(due.severity == .moderate)
        #expect(due.reason.contains("Wed 25 Nov 2026: due in 2 working days"))
        facts.today = Day(year: 2026, month: 11, day: 25)!
        #expect(RuleEngine.evaluate(facts).first { $0.rule.id == "MR-ADM-SMR" }?.severity == .moderate)
        facts.today = Day(year: 2026, month: 11, day: 26)!
        #expect(RuleEngine.evaluate(facts).first { $0.rule.id == "MR-ADM-SMR" }?.severity == .high)
        facts.reviewDates = [Day(year: 2026, month: 11, day: 26)!]
        #expect(!f.ids(RuleEngine.evaluate(facts)).contains("MR-ADM-SMR"))
        // No "no review ever" prompt while the admission rule covers the resident.
        #expect(!f.ids(RuleEngine.evaluate(facts)).contains("MR-SMR-12M"))
    }

    @Test("return from hospital without reconciliation is high; a reconciliation on that day clears it")
    func reconciliation() throws {
        let f = try RuleFixture()
        let back = f.today.adding(days: -3)
        var facts = ResidentFacts(residentID: 1, today: f.today, latestAdmission: back, latestAdmissionIsReadmission: true,
                                  reviewDates: [f.today.adding(days: -100)], reconciliationDates: [f.today.adding(days: -100)])
        let finding = try #require(RuleEngine.evaluate(facts).first)
        #expect(finding.rule.id == "MR-RECON" && finding.severity == .high)
        #expect(finding.reason.hasPrefix("Returned from hospital"))
        facts.reconciliationDates.append(back)
        #expect(!f.ids(RuleEngine.evaluate(facts)).contains("MR-RECON"))
    }

    @Test("findings are most urgent first and wording never tells staff to change a medicine")
    func orderAndWording() throws {
        var f = try RuleFixture()
        let meds = f.medicines(["Amitriptyline", "Oxybutynin", "Zopiclone", "Omeprazole", "Lansoprazole", "Ramipril",
                                "Furosemide", "Butec", "Risperidone", "Zzyxaprine"])
        let findings = RuleEngine.evaluate(f.facts(meds, dementia: .lewyBody, falls: [(id: 1, day: f.today)]))
        #expect(findings.count >= 8)
        #expect(findings.map(\.severity) == findings.map(\.severity).sorted(by: >))
        for finding in findings {
            let lower = finding.reason.lowercased()
            for phrase in ["stop ", "reduce", "increase", "switch", "should be", "discontinue", "deprescribe"] {
                #expect(!lower.contains(phrase), "\(finding.rule.id) says \(phrase)")
            }
        }
    }

    @Test("every rule has an id, a reason text, a cited source and a version")
    func catalogue() {
        #expect(Set(MedicationRule.all.map(\.id)).count == MedicationRule.all.count)
        for rule in MedicationRule.all {
            #expect(!rule.title.isEmpty && !rule.checks.isEmpty && !rule.source.isEmpty && rule.version >= 1)
        }
    }
}
