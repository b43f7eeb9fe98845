import CareKit
import CareServices
@testable import MedicationReviewPlugin
import Testing

/// The classes of defect an independent review of the rules found (issue 12), each tested at its
/// boundary. HAZARDS.md points here (H-MR-10 to H-MR-14).
@Suite("Medication rules: clinical safety corrections")
struct ClinicalSafetyTests {
    // MARK: 1. An incomplete list is not evidence of "none"

    func summary(_ table: DrugTable, _ name: String, route: String = "oral") -> MedicineSummary {
        MedicineSummary(name: name, directions: "", asNeeded: false,
                        flags: table.lookup(name, recordedRoute: route)?.medicineFlags ?? [.unclassified])
    }

    @Test("an unclassified medicine makes the anticoagulant answer 'cannot tell', never 'none'; a known anticoagulant still answers")
    func unclassifiedIsNotNone() throws {
        let table = try DrugTable.shipped()
        let known = [summary(table, "Amlodipine"), summary(table, "Paracetamol")]
        #expect(MedicationService.antithromboticStatus(of: known) == AntithromboticStatus.none)
        // A misspelt DOAC and a heparin brand the table might not know.
        for unknown in ["Apixaben 5mg", "Rivaroxiban", "Zzheparin 4500 units"] {
            let status = MedicationService.antithromboticStatus(of: known + [summary(table, unknown)])
            #expect(status == .cannotTell(unclassified: [unknown]), "\(unknown)")
        }
        // Aspirin with an unknown medicine is not "aspirin alone".
        #expect(MedicationService.antithromboticStatus(of: [summary(table, "Aspirin"), summary(table, "Mystery tablets")])
                == .cannotTell(unclassified: ["Mystery tablets"]))
        // A recognised anticoagulant is reported whatever else is on the list.
        #expect(MedicationService.antithromboticStatus(of: [summary(table, "Apixaban"), summary(table, "Mystery tablets")])
                == .anticoagulant(["Apixaban"]))
        // Heparins are in the table now.
        for heparin in ["Tinzaparin", "Innohep", "Clexane", "Fragmin", "Heparin sodium"] {
            #expect(table.lookup(heparin)?.has(.anticoagulant) == true, "\(heparin)")
        }
    }

    @Test("after a recent fall, unclassified medicines are named as possible falls-risk drugs; a regular opioid's prompt says one may be a laxative")
    func unclassifiedInOtherRules() throws {
        var f = try RuleFixture()
        let unknown = f.medicine("Mystery tablets")
        let facts = f.facts([f.medicine("Amlodipine"), unknown], falls: [(id: 9, day: f.today.adding(days: -3))])
        let after = try #require(RuleEngine.evaluate(facts).first { $0.rule.id == "MR-FALLS-AFTER-FALL" })
        #expect(after.reason.contains("whether they add to the risk of falls is not known: Mystery tablets"))
        // No fall in 30 days: nothing (boundary at 31 days).
        let old = f.facts([unknown], falls: [(id: 9, day: f.today.adding(days: -31))])
        #expect(!f.ids(RuleEngine.evaluate(old)).contains("MR-FALLS-AFTER-FALL"))
        let opioid = f.facts([f.medicine("Morphine"), f.medicine("Laxative X")])
        let prompt = try #require(RuleEngine.evaluate(opioid).first { $0.rule.id == "MR-OPIOID-LAX" })
        #expect(prompt.reason.contains("one may be a laxative"))
    }

    // MARK: 2. "Not recorded" is not "no"

    @Test("an antipsychotic with dementia not recorded asks for it; the diagnoses naming dementia count as dementia")
    func notRecordedIsNotNo() throws {
        var f = try RuleFixture()
        let risperidone = f.medicine("Risperidone", startedDaysAgo: 60)
        var facts = f.facts([risperidone], dementia: .notRecorded)
        facts.reviewDates = []
        #expect(f.ids(RuleEngine.evaluate(facts)).contains("MR-AP-DEM-UNKNOWN"))
        #expect(!f.ids(RuleEngine.evaluate(facts)).contains("MR-AP-DEM"))
        // A recorded "no dementia" is an answer: no prompt either way.
        facts.dementia = .noDementia
        #expect(!f.ids(RuleEngine.evaluate(facts)).contains { $0.hasPrefix("MR-AP-DEM") })
        // The diagnoses say Alzheimer's: the review is due whatever the field says, and the reason says why.
        for field in [DementiaType.notRecorded, .noDementia] {
            facts.dementia = field
            facts.diagnoses = "Hypertension\nAlzheimer's disease\nOsteoarthritis"
            let due = try #require(RuleEngine.evaluate(facts).first { $0.rule.id == "MR-AP-DEM" })
            #expect(due.reason.contains("Alzheimer's disease"))
            #expect(due.reason.contains("key diagnoses name"))
            #expect(!f.ids(RuleEngine.evaluate(facts)).contains("MR-AP-DEM-UNKNOWN"))
        }
        // Lewy bodies in the diagnoses raise the high alert even when the field records another type.
        facts.dementia = .alzheimers
        facts.diagnoses = "Dementia with Lewy bodies"
        #expect(f.ids(RuleEngine.evaluate(facts)).contains("MR-AP-LEWY"))
        // A line that rules dementia out does not count.
        facts.dementia = .noDementia
        facts.diagnoses = "Memory clinic 2025: no dementia"
        #expect(!f.ids(RuleEngine.evaluate(facts)).contains { $0.hasPrefix("MR-AP-") })
    }

    @Test("diagnoses are read for dementia type, most specific and highest risk first")
    func mentionedDementia() {
        #expect(DementiaType.mentioned(in: "Alzheimer’s disease") == .alzheimers)
        #expect(DementiaType.mentioned(in: "Vascular dementia\nAF") == .vascular)
        #expect(DementiaType.mentioned(in: "Parkinson's disease") == nil)
        #expect(DementiaType.mentioned(in: "Parkinson's disease dementia") == .parkinsons)
        #expect(DementiaType.mentioned(in: "Dementia\nDLB - Lewy body dementia") == .lewyBody)
        #expect(DementiaType.mentioned(in: "Mixed dementia (AD and vascular)") == .mixed)
        #expect(DementiaType.mentioned(in: "Query dementia, awaiting memory clinic") == nil)
        #expect(DementiaType.mentioned(in: "") == nil)
        #expect(DementiaType.notRecorded.rawValue == "none")   // what the registry stored for the old default
        #expect(!DementiaType.notRecorded.hasDementia && !DementiaType.notRecorded.isRecorded)
        #expect(DementiaType.noDementia.isRecorded && !DementiaType.noDementia.hasDementia)
    }

    // MARK: 3. Flags and classes consistent by construction

    @Test("the whole table: every flag its STOPPFall class, class name and sick-day group imply is declared, and the converse")
    func tableHasNoContradictions() throws {
        let table = try DrugTable.shipped()
        for entry in table.medicines {
            let declared = Set(entry.flags.compactMap(MedicineFlag.init(rawValue:)))
            let missing = entry.impliedFlags.subtracting(declared).subtracting([.fallsRisk])
            #expect(missing.isEmpty, "\(entry.id): class \(entry.drugClass), STOPPFall \(entry.stoppfall ?? "none") implies \(missing.map(\.rawValue)) but the entry does not say so")
            if declared.contains(.antipsychotic) { #expect(entry.stoppfall == "Antipsychotics", "\(entry.id)") }
            if declared.contains(.benzodiazepine) { #expect(entry.stoppfall == "Benzodiazepines", "\(entry.id)") }
            if declared.contains(.zDrug) { #expect(entry.stoppfall == "Benzodiazepine-related drugs (Z-drugs)", "\(entry.id)") }
            if declared.contains(.opioid) { #expect(entry.stoppfall == "Opioids", "\(entry.id)") }
            #expect(declared.contains(.sickDay) == (entry.sickDayGroup != nil), "\(entry.id): sick-day flag and group disagree")
            if declared.contains(.aspirin) { #expect(declared.contains(.antiplatelet), "\(entry.id)") }
            // A medicine that does not act on the whole body carries no whole-body flag.
            if !entry.isSystemic {
                #expect(declared.isDisjoint(with: [.sickDay, .anticoagulant, .antiplatelet, .opioid, .benzodiazepine, .antipsychotic]),
                        "\(entry.id) is \(entry.routes.map(\.rawValue)) but flagged \(declared.map(\.rawValue))")
            }
            #expect(!entry.routes.isEmpty, "\(entry.id) has no route")
        }
        for drugClass in table.duplicatesExpected.keys {
            #expect(table.medicines.contains { $0.drugClass == drugClass }, "duplicatesExpected names a class no entry has: \(drugClass)")
        }
    }

    @Test("prochlorperazine (STOPPFall antipsychotics) meets the antipsychotic rules")
    func prochlorperazine() throws {
        var f = try RuleFixture()
        let entry = try #require(f.table.lookup("Prochlorperazine 5mg tablets"))
        #expect(entry.has(.antipsychotic))
        var facts = f.facts([f.medicine("Prochlorperazine", startedDaysAgo: 50)], dementia: .alzheimers)
        facts.reviewDates = []
        #expect(f.ids(RuleEngine.evaluate(facts)).contains("MR-AP-DEM"))
        facts.dementia = .lewyBody
        #expect(f.ids(RuleEngine.evaluate(facts)).contains("MR-AP-LEWY"))
    }

    // MARK: 4. Route and form

    @Test("the route or form typed decides the entry; a route the table lacks is not guessed")
    func routeAndForm() throws {
        let table = try DrugTable.shipped()
        #expect(table.lookup("Ibuprofen 5% gel")?.id == "ibuprofen-gel")
        #expect(table.lookup("Ibuprofen 400mg tablets")?.id == "ibuprofen")
        #expect(table.lookup("Voltarol 1% gel")?.id == "diclofenac-gel")
        #expect(table.lookup("Timolol 0.25% eye drops")?.id == "timolol-eye")
        #expect(table.lookup("Fentanyl 12 micrograms/hour patch")?.id == "fentanyl")
        #expect(table.lookup("Miconazole oral gel")?.id == "miconazole")
        #expect(table.lookup("Salbutamol 100 micrograms inhaler")?.id == "salbutamol")
        // The table has no diclofenac eye drops, salbutamol tablets or clotrimazole pessary: unclassified.
        #expect(table.lookup("Diclofenac eye drops") == nil)
        #expect(table.lookup("Salbutamol tablets") == nil)
        #expect(table.lookup("Clotrimazole pessary") == nil)
        // The record's route counts when the name states none (but "oral", the form's default, never overrules).
        #expect(table.lookup("Ibuprofen", recordedRoute: "topical")?.id == "ibuprofen-gel")
        #expect(table.lookup("Zerobase", recordedRoute: "oral")?.id == "emollient")
        #expect(table.lookup("Salbutamol", recordedRoute: "nebulised")?.id == "salbutamol")
    }

    @Test("a topical NSAID is not a sick-day medicine nor a duplicate of the tablets; two emollients are not a duplicate; two SSRIs are")
    func routeInRules() throws {
        var f = try RuleFixture()
        func ids(_ names: [String]) -> [String] {
            var facts = f.facts(f.medicines(names))
            facts.usualDuplicateClasses = Set(f.table.duplicatesExpected.keys)
            return f.ids(RuleEngine.evaluate(facts))
        }
        #expect(!ids(["Ibuprofen 5% gel", "Ramipril"]).contains("MR-SICK-DAY"))
        #expect(ids(["Ibuprofen 400mg tablets", "Ramipril"]).contains("MR-SICK-DAY"))
        #expect(!ids(["Ibuprofen 5% gel", "Ibuprofen 400mg tablets"]).contains("MR-DUP-CLASS"))
        #expect(!ids(["Zerobase cream", "Dermol 500 lotion"]).contains("MR-DUP-CLASS"))
        #expect(!ids(["Hypromellose eye drops", "Carbomer eye gel", "Xailin Night"]).contains("MR-DUP-CLASS"))
        #expect(ids(["Sertraline", "Citalopram"]).contains("MR-DUP-CLASS"))
        #expect(ids(["Paracetamol", "Co-codamol 30/500"]).contains("MR-DUP-CLASS"))
        #expect(ids(["Fostair", "Clenil"]).contains("MR-DUP-CLASS"))   // beclometasone twice, both inhaled
    }

    // MARK: 5. Coverage

    /// Common care-home medicines by the groups the review named (our own list, from the BNF's
    /// chapters; see the drug table's note in the README for what it does and does not claim).
    static let commonCareHomeMedicines = [
        // tricyclics
        "Amitriptyline", "Nortriptyline", "Dosulepin", "Lofepramine", "Imipramine", "Clomipramine", "Trimipramine", "Doxepin",
        // antihistamines
        "Cetirizine", "Loratadine", "Fexofenadine", "Chlorphenamine", "Promethazine", "Hydroxyzine", "Cyclizine", "Cinnarizine", "Diphenhydramine",
        // anticholinergics and other medicines for Parkinson's
        "Trihexyphenidyl", "Procyclidine", "Orphenadrine", "Co-careldopa", "Co-beneldopa", "Stalevo", "Entacapone", "Ropinirole", "Rotigotine",
        // lithium, heparins, dipyridamole combinations
        "Priadel", "Lithium carbonate", "Enoxaparin", "Dalteparin", "Tinzaparin", "Heparin sodium", "Asasantin Retard", "Dipyridamole",
        // eye drops
        "Latanoprost", "Bimatoprost eye drops", "Travoprost eye drops", "Xalacom", "Cosopt", "Timolol eye drops", "Brimonidine eye drops",
        "Dorzolamide eye drops", "Brinzolamide eye drops", "Hypromellose eye drops", "Carbomer eye gel", "Hylo-Forte", "Celluvisc",
        "Chloramphenicol eye drops", "Pred Forte",
        // inhalers
        "Salbutamol inhaler", "Ventolin Evohaler", "Terbutaline", "Atrovent", "Spiriva", "Incruse Ellipta", "Seebri", "Eklira",
        "Clenil Modulite", "Flixotide", "Fostair", "Symbicort Turbohaler", "Seretide Accuhaler", "Relvar Ellipta", "Anoro Ellipta",
        "Spiolto Respimat", "Ultibro Breezhaler", "Duaklir Genuair", "Trelegy Ellipta", "Trimbow", "Trixeo",
        // oral corticosteroids
        "Prednisolone", "Dexamethasone", "Hydrocortisone tablets", "Methylprednisolone", "Fludrocortisone",
        // and the everyday list
        "Paracetamol", "Co-codamol", "Senna", "Laxido", "Lactulose", "Omeprazole", "Lansoprazole", "Adcal-D3", "Colecalciferol",
        "Amlodipine", "Ramipril", "Bisoprolol", "Furosemide", "Atorvastatin", "Simvastatin", "Apixaban", "Edoxaban", "Clopidogrel", "Aspirin",
        "Levothyroxine", "Metformin", "Gliclazide", "Sertraline", "Citalopram", "Mirtazapine", "Trazodone", "Donepezil", "Memantine",
        "Quetiapine", "Risperidone", "Lorazepam", "Zopiclone", "Melatonin", "Gabapentin", "Pregabalin", "Morphine sulfate oral solution",
        "Buprenorphine patch", "Oxycodone", "Tramadol", "Tamsulosin", "Finasteride", "Alendronic acid", "Ferrous fumarate", "Folic acid",
        "Zerobase", "Cavilon", "Fortisip", "Thick and Easy", "Nitrofurantoin", "Trimethoprim", "Doxycycline", "Amoxicillin",
        "Quinine sulfate", "Levetiracetam", "Sodium valproate", "Haloperidol", "Midazolam", "Levomepromazine", "Hyoscine butylbromide",
        "Glycopyrronium bromide injection", "Metoclopramide", "Domperidone", "Cyclizine", "Co-danthramer", "Naloxegol",
    ]

    @Test("common care-home medicines in the groups the review named are all classified")
    func coverage() throws {
        let table = try DrugTable.shipped()
        let missing = ClinicalSafetyTests.commonCareHomeMedicines.filter { table.lookup($0) == nil }
        #expect(missing.isEmpty, "not in the drug table: \(missing)")
        #expect(ClinicalSafetyTests.commonCareHomeMedicines.count >= 140)
    }

    // MARK: 7. Words that claim no more than the data

    @Test("a falls-risk drug started after the fall is not described as taken at the time of the fall")
    func startedAfterTheFall() throws {
        var f = try RuleFixture()
        let fallDay = f.today.adding(days: -10)
        let zopiclone = f.medicine("Zopiclone", startedDaysAgo: 5)          // started after the fall
        let furosemide = f.medicine("Furosemide", startedDaysAgo: 10)       // started on the day of the fall
        let facts = f.facts([zopiclone, furosemide], falls: [(id: 3, day: fallDay)])
        let prompt = try #require(RuleEngine.evaluate(facts).first { $0.rule.id == "MR-FALLS-AFTER-FALL" })
        #expect(!prompt.reason.contains("while on"))
        #expect(prompt.reason.contains("already taken at the time: Furosemide"))
        #expect(prompt.reason.contains("Started since the fall: Zopiclone"))
        #expect(!prompt.reason.contains("taken at the time: Zopiclone"))
    }

    @Test("names of diseases keep their capitals inside a sentence")
    func properNouns() throws {
        var f = try RuleFixture()
        var facts = f.facts([f.medicine("Haloperidol", startedDaysAgo: 100)], dementia: .parkinsons)
        facts.reviewDates = []
        let reasons = RuleEngine.evaluate(facts).map(\.reason).joined(separator: " ")
        #expect(reasons.contains("Parkinson's disease dementia"))
        #expect(!reasons.contains("parkinson's"))
        facts.dementia = .alzheimers
        #expect(RuleEngine.evaluate(facts).map(\.reason).joined().contains("with Alzheimer's disease"))
        facts.dementia = .vascular
        #expect(RuleEngine.evaluate(facts).map(\.reason).joined().contains("with vascular dementia"))
        #expect(Wording.midSentence("Round of Thu 3 Dec 2026") == "round of Thu 3 Dec 2026")
        #expect(Wording.midSentence("GP") == "GP")
        #expect(Wording.midSentence("Addison's disease") == "Addison's disease")
    }

    @Test("prompts the round must see are marked for it: every high prompt, an overdue annual review, an antipsychotic in dementia due")
    func promptsForTheRound() {
        #expect(MedicationRule.reviewOverdue.forRound)
        #expect(MedicationRule.antipsychoticDementia.forRound)
        #expect(!MedicationRule.polypharmacyConsider.forRound)
        #expect(ResidentPrompt(residentID: 1, ruleID: "X", title: "", reason: "", severity: .high).forRound)
        #expect(!ResidentPrompt(residentID: 1, ruleID: "X", title: "", reason: "", severity: .moderate).forRound)
    }
}
