public import CareKit
import Foundation

/// Fictional medicines, reviews and reconciliations for the demo home, chosen so that the prompts
/// show a realistic spread: polypharmacy, anticholinergic burden, an antipsychotic in dementia, an
/// opioid without a laxative, a long-term hypnotic, an anticoagulant, an unclassified medicine, a
/// resident with nothing to flag, and (from the registry's own demo data) new admissions.
enum DemoMedicines {
    /// (name, dose, route, frequency, as needed, started days ago, indication)
    typealias Line = (String, String, String, String, Bool, Int, String)

    /// Each profile: medicines, days since the last review (nil: none recorded), whether reconciled.
    static let profiles: [(lines: [Line], lastReviewDaysAgo: Int?)] = [
        // Polypharmacy, ACB, falls-risk drugs, sick-day drugs, a long-term hypnotic; review overdue.
        ([("Furosemide", "40 mg", "oral", "once a day in the morning", false, 700, "Heart failure"),
          ("Ramipril", "5 mg", "oral", "once a day", false, 900, "Heart failure"),
          ("Metformin", "500 mg", "oral", "twice a day with food", false, 1500, "Type 2 diabetes"),
          ("Bisoprolol", "2.5 mg", "oral", "once a day", false, 700, "Heart failure"),
          ("Atorvastatin", "20 mg", "oral", "once a day at night", false, 1500, "Cardiovascular prevention"),
          ("Amitriptyline", "10 mg", "oral", "at night", false, 400, "Neuropathic pain"),
          ("Zopiclone", "3.75 mg", "oral", "at night", false, 95, "Sleep"),
          ("Omeprazole", "20 mg", "oral", "once a day", false, 1200, "Reflux"),
          ("Adcal-D3", "1 tablet", "oral", "twice a day", false, 600, "Osteoporosis"),
          ("Alendronic acid", "70 mg", "oral", "once a week on Monday", false, 600, "Osteoporosis"),
          ("Tamsulosin", "400 micrograms", "oral", "once a day", false, 800, "Prostate symptoms"),
          ("Paracetamol", "1 g", "oral", "up to four times a day", true, 300, "Pain")], 430),
        // Antipsychotic with dementia, review due.
        ([("Risperidone", "250 micrograms", "oral", "twice a day", false, 63, "Distress in dementia"),
          ("Donepezil", "10 mg", "oral", "at night", false, 500, "Alzheimer's disease"),
          ("Sertraline", "50 mg", "oral", "once a day", false, 300, "Low mood"),
          ("Laxido", "1 sachet", "oral", "once a day", false, 200, "Constipation"),
          ("Paracetamol", "1 g", "oral", "four times a day", false, 200, "Pain")], 50),
        // Regular opioid without a laxative; paracetamol twice (co-codamol as needed).
        ([("Butec", "10 micrograms/hour", "transdermal patch", "every 7 days", false, 120, "Osteoarthritis pain"),
          ("Paracetamol", "1 g", "oral", "four times a day", false, 400, "Pain"),
          ("Co-codamol 30/500", "2 tablets", "oral", "up to four times a day", true, 60, "Breakthrough pain"),
          ("Amlodipine", "5 mg", "oral", "once a day", false, 900, "Hypertension"),
          ("Levothyroxine", "75 micrograms", "oral", "once a day before breakfast", false, 2000, "Hypothyroidism")], 90),
        // Anticoagulant (the falls log uses it for head-injury advice); polypharmacy consider.
        ([("Apixaban", "2.5 mg", "oral", "twice a day", false, 800, "Atrial fibrillation"),
          ("Bisoprolol", "5 mg", "oral", "once a day", false, 800, "Atrial fibrillation"),
          ("Digoxin", "62.5 micrograms", "oral", "once a day", false, 600, "Atrial fibrillation"),
          ("Furosemide", "20 mg", "oral", "once a day", false, 500, "Ankle oedema"),
          ("Atorvastatin", "20 mg", "oral", "at night", false, 800, "Cardiovascular prevention"),
          ("Senna", "7.5 mg", "oral", "at night", true, 100, "Constipation"),
          ("Oxybutynin", "2.5 mg", "oral", "twice a day", false, 300, "Overactive bladder")], 120),
        // Dual antiplatelet and an unclassified medicine.
        ([("Clopidogrel", "75 mg", "oral", "once a day", false, 40, "Stroke"),
          ("Aspirin", "75 mg", "oral", "once a day", false, 40, "Stroke, 14 days before clopidogrel"),
          ("Vitamin B compound strong", "1 tablet", "oral", "three times a day", false, 40, "Nutrition"),
          ("Lansoprazole", "15 mg", "oral", "once a day", false, 40, "Stomach protection")], 30),
        // Nothing to flag.
        ([("Levothyroxine", "100 micrograms", "oral", "once a day before breakfast", false, 3000, "Hypothyroidism"),
          ("Colecalciferol", "800 units", "oral", "once a day", false, 400, "Vitamin D deficiency"),
          ("Paracetamol", "1 g", "oral", "up to four times a day", true, 300, "Pain")], 60),
        // Short-term benzodiazepine (not yet 4 weeks), antidepressant, Lewy body-sensitive antipsychotic if recorded.
        ([("Lorazepam", "500 micrograms", "oral", "up to twice a day", true, 20, "Acute anxiety"),
          ("Mirtazapine", "15 mg", "oral", "at night", false, 200, "Depression"),
          ("Quetiapine", "25 mg", "oral", "at night", false, 150, "Hallucinations"),
          ("Co-careldopa 25/100", "1 tablet", "oral", "three times a day", false, 1500, "Parkinson's disease"),
          ("Macrogol", "1 sachet", "oral", "once a day", false, 300, "Constipation")], 35),
        // Pregabalin and tramadol with a laxative; gabapentinoid cohort.
        ([("Pregabalin", "75 mg", "oral", "twice a day", false, 300, "Neuropathic pain"),
          ("Tramadol", "50 mg", "oral", "four times a day", false, 200, "Pain"),
          ("Senna", "15 mg", "oral", "at night", false, 200, "Constipation"),
          ("Naproxen", "250 mg", "oral", "twice a day", false, 90, "Back pain"),
          ("Indapamide", "2.5 mg", "oral", "once a day", false, 900, "Hypertension")], 200),
    ]

    static func seed(_ context: PluginContext, today: Day) throws {
        guard let directory = context.services.resolve(Services.residentDirectory) else {
            context.log.warning("no resident registry: no demo medicines")
            return
        }
        let residents = try directory.currentResidents()
        let author = Author(Principal(userID: 0, username: "demo", displayName: "Demo nurse", role: .nurse), at: HomeTime.startOf(today))
        for (index, resident) in residents.enumerated() {
            let profile = profiles[index % profiles.count]
            let admitted = resident.latestAdmission ?? today.adding(days: -400)
            let recentlyAdmitted = admitted.days(until: today) < 14
            try context.database.write { db in
                for line in profile.lines {
                    // Nothing started before the resident came, unless brought in with them (start = admission).
                    var started = today.adding(days: -line.5)
                    if let first = resident.admittedOn, started < first { started = first }
                    let record = MedicineRecord(residentID: resident.id, name: line.0, dose: line.1, route: line.2, frequency: line.3,
                                                asNeeded: line.4, startedOn: started, indication: line.6)
                    try MedicationStore.insertMedicine(db, record, by: author)
                }
                // A new admission or recent return from hospital is left unreviewed and unreconciled: the prompts show it.
                guard !recentlyAdmitted else { return }
                try MedicationStore.insertReconciliation(db, residentID: resident.id, on: admitted.adding(days: 1),
                                                         trigger: resident.latestAdmissionIsReadmission ? "hospital-return" : "admission",
                                                         triggerOn: admitted, sources: "Hospital discharge letter; GP record or Summary Care Record",
                                                         discrepanciesFound: index % 3 == 0,
                                                         discrepancies: index % 3 == 0 ? "Omeprazole missing from the discharge letter; confirmed with the GP and continued." : "",
                                                         by: "Demo nurse", role: "Registered nurse", author: author)
                if let daysAgo = profile.lastReviewDaysAgo {
                    var reviewed = max(today.adding(days: -daysAgo), admitted.adding(days: 2))
                    while reviewed.weekday.isWeekend { reviewed = reviewed.adding(days: -1) }   // GPs review on weekdays
                    guard reviewed <= today else { return }
                    try MedicationStore.insertReview(db, residentID: resident.id, on: reviewed, reviewer: "Dr A Patel (demo)", role: "GP",
                                                     discussedWith: "The resident and their representative",
                                                     discussion: "Went through each medicine and what it is for; daughter present by phone.",
                                                     outcome: "All medicines continued; to review again at the next home round.",
                                                     nextReview: reviewed.adding(months: 6), author: author)
                }
            }
        }
        context.log.info("demo medicines seeded", ["residents": String(residents.count)])
    }
}
