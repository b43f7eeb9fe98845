public import CareKit
public import CareServices
import Foundation

/// Fictional medicines, reviews and reconciliations for the demo home, written for the registry's
/// demo residents (by room, matching their diagnoses and allergies) so that the prompts show a
/// realistic spread: an antipsychotic in Lewy body dementia, an overdue review, new admissions not
/// yet reconciled, polypharmacy, anticholinergic burden, a long-term hypnotic, an unclassified
/// medicine, sick-day medicines, a dismissed prompt, and residents with little or nothing to flag.
enum DemoMedicines {
    /// One demo medicine line.
    struct Line {
        var name: String, dose: String, frequency: String, indication: String
        var startedDaysAgo: Int, route = "oral", asNeeded = false, courseDays: Int? = nil
    }

    static func m(_ name: String, _ dose: String, _ frequency: String, _ indication: String, ago: Int = 400, route: String = "oral",
                  prn: Bool = false, course: Int? = nil) -> Line {
        Line(name: name, dose: dose, frequency: frequency, indication: indication, startedDaysAgo: ago, route: route, asNeeded: prn, courseDays: course)
    }

    /// A resident's demo picture.
    struct Profile {
        var lines: [Line]
        /// Days since the last structured review; nil: none recorded.
        var reviewDaysAgo: Int?
        /// Whether the latest admission was reconciled.
        var reconciled = true
        /// Prompts a clinician has dismissed, with the reason.
        var dismissed: [(rule: String, reason: String)] = []
    }

    /// By room (the registry's demo residents).
    static let byRoom: [String: Profile] = [
        // Peggy: Alzheimer's, AF on apixaban, knee osteoarthritis. Opioid patch without a laxative; paracetamol twice.
        "1": Profile(lines: [m("Apixaban", "2.5 mg", "twice a day", "Atrial fibrillation", ago: 700),
                             m("Bisoprolol", "2.5 mg", "once a day", "Atrial fibrillation", ago: 700),
                             m("Donepezil", "10 mg", "at night", "Alzheimer's disease", ago: 600),
                             m("Paracetamol", "1 g", "four times a day", "Knee pain", ago: 300),
                             m("Butec", "5 micrograms/hour", "every 7 days", "Knee pain", ago: 90, route: "transdermal patch"),
                             m("Co-codamol 30/500", "2 tablets", "up to four times a day", "Knee pain", ago: 60, prn: true),
                             m("Adcal-D3", "1 tablet", "twice a day", "Bone protection", ago: 500)], reviewDaysAgo: 150),
        // Bert: vascular dementia, type 2 diabetes, stroke. Risperidone review due; sick-day medicines; review overdue.
        "2": Profile(lines: [m("Metformin", "500 mg", "twice a day with food", "Type 2 diabetes", ago: 1500),
                             m("Gliclazide", "80 mg", "twice a day", "Type 2 diabetes", ago: 900),
                             m("Clopidogrel", "75 mg", "once a day", "Secondary prevention after stroke", ago: 2000),
                             m("Atorvastatin", "80 mg", "at night", "Secondary prevention after stroke", ago: 2000),
                             m("Ramipril", "5 mg", "once a day", "Hypertension", ago: 2000),
                             m("Amlodipine", "5 mg", "once a day", "Hypertension", ago: 1200),
                             m("Risperidone", "250 micrograms", "twice a day", "Severe distress in dementia", ago: 62),
                             m("Omeprazole", "20 mg", "once a day", "Reflux", ago: 800),
                             m("Senna", "7.5 mg", "at night", "Constipation", ago: 300, prn: true)], reviewDaysAgo: 430),
        // Dot: Lewy body dementia (haloperidol reaction), orthostatic hypotension, recurrent falls.
        "3": Profile(lines: [m("Quetiapine", "12.5 mg", "at night", "Visual hallucinations", ago: 45),
                             m("Rivastigmine", "9.5 mg/24 hours", "once a day", "Dementia with Lewy bodies", ago: 220, route: "transdermal patch"),
                             m("Midodrine", "2.5 mg", "three times a day", "Orthostatic hypotension", ago: 200),
                             m("Zopiclone", "3.75 mg", "at night", "Sleep", ago: 50),
                             m("Sertraline", "50 mg", "once a day", "Low mood", ago: 200),
                             m("Laxido", "1 sachet", "once a day", "Constipation", ago: 200),
                             m("Alendronic acid", "70 mg", "once a week on Sunday", "Osteoporosis", ago: 200),
                             m("Colecalciferol", "800 units", "once a day", "Vitamin D deficiency", ago: 200)], reviewDaysAgo: 30),
        // Harry: Parkinson's disease dementia, time-critical medicines, dysphagia (in hospital now). Codeine allergy.
        "4": Profile(lines: [m("Co-beneldopa 25/100", "1 dispersible tablet", "at 07:00, 11:00, 15:00 and 19:00", "Parkinson's disease (time-critical)", ago: 1500),
                             m("Rasagiline", "1 mg", "once a day", "Parkinson's disease", ago: 900),
                             m("Rivastigmine", "4.6 mg/24 hours", "once a day", "Parkinson's disease dementia", ago: 300, route: "transdermal patch"),
                             m("Amantadine", "100 mg", "twice a day", "Dyskinesia", ago: 400),
                             m("Macrogol", "1 sachet", "twice a day", "Constipation", ago: 300),
                             m("Thick and Easy", "2 scoops per 200 ml", "with all drinks", "Dysphagia", ago: 300)], reviewDaysAgo: 70),
        // Edna: mixed dementia, heart failure, CKD 3; back from hospital two working days ago.
        "5": Profile(lines: [m("Furosemide", "40 mg", "twice a day (08:00 and 14:00)", "Heart failure", ago: 700),
                             m("Ramipril", "2.5 mg", "once a day", "Heart failure", ago: 700),
                             m("Spironolactone", "25 mg", "once a day", "Heart failure", ago: 500),
                             m("Bisoprolol", "2.5 mg", "once a day", "Heart failure", ago: 700),
                             m("Atorvastatin", "20 mg", "at night", "Cardiovascular prevention", ago: 700),
                             m("Lansoprazole", "15 mg", "once a day", "Stomach protection", ago: 400),
                             m("Paracetamol", "1 g", "up to four times a day", "Pain", ago: 300, prn: true),
                             m("Senna", "7.5 mg", "at night", "Constipation", ago: 300)], reviewDaysAgo: 100, reconciled: false),
        // Kwame: acquired brain injury, epilepsy. Buccal midazolam is rescue medication: its prompt was dismissed.
        "6": Profile(lines: [m("Levetiracetam", "750 mg", "twice a day", "Epilepsy", ago: 900),
                             m("Midazolam (buccal)", "10 mg", "once, for a seizure over 5 minutes", "Seizure rescue", ago: 900, route: "buccal", prn: true),
                             m("Baclofen", "10 mg", "three times a day", "Spasticity", ago: 800),
                             m("Sertraline", "100 mg", "once a day", "Depression", ago: 600),
                             m("Omeprazole", "20 mg", "once a day", "Reflux", ago: 600)], reviewDaysAgo: 120,
                     dismissed: [("MR-BZD-4W", "Buccal midazolam is seizure rescue medication under the epilepsy plan, used twice this year; not for reduction.")]),
        // Irene: admitted three working days ago, memory problems, hypertension; allergies not yet confirmed.
        "7": Profile(lines: [m("Amlodipine", "5 mg", "once a day", "Hypertension", ago: 700),
                             m("Indapamide", "2.5 mg", "once a day", "Hypertension", ago: 700),
                             m("Vitamin B compound strong", "1 tablet", "three times a day", "Not known: brought in from home", ago: 200)],
                     reviewDaysAgo: nil, reconciled: false),
        // Stan: Alzheimer's, prostate cancer on hormone treatment, falls. Reconciled, but no review in the 7-working-day window.
        "8": Profile(lines: [m("Zoladex", "10.8 mg", "every 12 weeks", "Prostate cancer", ago: 600, route: "subcutaneous injection"),
                             m("Tamsulosin", "400 micrograms", "once a day", "Urinary symptoms", ago: 800),
                             m("Donepezil", "10 mg", "at night", "Alzheimer's disease", ago: 500),
                             m("Mirtazapine", "15 mg", "at night", "Low mood and appetite", ago: 300),
                             m("Tramadol", "50 mg", "up to four times a day", "Back pain", ago: 100),
                             m("Senna", "15 mg", "at night", "Constipation", ago: 100),
                             m("Colecalciferol", "800 units", "once a day", "Vitamin D", ago: 300)], reviewDaysAgo: nil),
        // Joan: discharge to assess after a repaired hip fracture; delirium. Trimethoprim allergy. Not yet reconciled.
        "9": Profile(lines: [m("Enoxaparin", "40 mg", "once a day", "Clot prevention after hip surgery", ago: 8, route: "subcutaneous injection", course: 28),
                             m("Paracetamol", "1 g", "four times a day", "Hip pain", ago: 10),
                             m("OxyNorm", "2.5 mg", "up to every 4 hours", "Hip pain", ago: 10, prn: true),
                             m("Laxido", "1 sachet", "twice a day", "Constipation", ago: 10),
                             m("Adcal-D3", "1 tablet", "twice a day", "Bone protection", ago: 10),
                             m("Donepezil", "5 mg", "at night", "Alzheimer's disease", ago: 400)], reviewDaysAgo: nil, reconciled: false),
        // Frank: COPD on home oxygen, anxiety; aspirin allergy. Long-term diazepam.
        "10": Profile(lines: [m("Trelegy", "1 inhalation", "once a day", "COPD", ago: 700, route: "inhaled"),
                              m("Salbutamol", "100 micrograms, 2 puffs", "when breathless", "COPD", ago: 2000, route: "inhaled", prn: true),
                              m("Carbocisteine", "375 mg", "three times a day", "COPD", ago: 900),
                              m("Diazepam", "2 mg", "three times a day", "Anxiety", ago: 500),
                              m("Sertraline", "50 mg", "once a day", "Anxiety", ago: 500),
                              m("Montelukast", "10 mg", "at night", "COPD", ago: 600)], reviewDaysAgo: 200),
        // Mary: vascular dementia, osteoporosis, macular degeneration. High anticholinergic burden.
        "11": Profile(lines: [m("Oxybutynin", "5 mg", "twice a day", "Urge incontinence", ago: 400),
                              m("Chlorphenamine", "4 mg", "up to three times a day", "Itch", ago: 90, prn: true),
                              m("Amitriptyline", "10 mg", "at night", "Sleep", ago: 300),
                              m("Clopidogrel", "75 mg", "once a day", "Secondary prevention after stroke", ago: 900),
                              m("Atorvastatin", "40 mg", "at night", "Secondary prevention after stroke", ago: 900),
                              m("Alendronic acid", "70 mg", "once a week on Monday", "Osteoporosis", ago: 600),
                              m("Adcal-D3", "1 tablet", "twice a day", "Osteoporosis", ago: 600),
                              m("Hypromellose eye drops", "1 drop both eyes", "four times a day", "Dry eyes", ago: 300, route: "eye")], reviewDaysAgo: 160),
        // George: respite, motor neurone disease, PEG fed. Riluzole is not in the drug table.
        "12": Profile(lines: [m("Riluzole", "50 mg", "twice a day", "Motor neurone disease", ago: 500, route: "enteral tube"),
                              m("Hyoscine hydrobromide", "1 mg/72 hours", "every 72 hours", "Drooling", ago: 60, route: "transdermal patch"),
                              m("Baclofen", "10 mg", "three times a day", "Spasticity", ago: 300, route: "enteral tube"),
                              m("Lansoprazole", "15 mg", "once a day", "Reflux", ago: 300, route: "enteral tube")], reviewDaysAgo: 5),
        // Lily: mixed dementia, anaemia; morphine allergy. Few medicines, review long overdue.
        "14": Profile(lines: [m("Ferrous fumarate", "210 mg", "twice a day", "Iron deficiency anaemia", ago: 200),
                              m("Folic acid", "5 mg", "once a day", "Folate deficiency", ago: 200),
                              m("Paracetamol", "1 g", "up to four times a day", "Pain", ago: 600, prn: true),
                              m("Senna", "7.5 mg", "at night", "Constipation", ago: 200)], reviewDaysAgo: 600),
        // Walter: 97, Alzheimer's, heart failure. Risperidone reviewed three weeks ago; sick-day medicines.
        "16": Profile(lines: [m("Furosemide", "40 mg", "once a day", "Heart failure", ago: 600),
                              m("Ramipril", "2.5 mg", "once a day", "Heart failure", ago: 600),
                              m("Bisoprolol", "1.25 mg", "once a day", "Heart failure", ago: 600),
                              m("Digoxin", "62.5 micrograms", "once a day", "Heart failure with atrial fibrillation", ago: 500),
                              m("Risperidone", "250 micrograms", "at night", "Distress in dementia", ago: 120),
                              m("Donepezil", "5 mg", "at night", "Alzheimer's disease", ago: 600),
                              m("Laxido", "1 sachet", "once a day", "Constipation", ago: 300)], reviewDaysAgo: 21),
    ]

    /// For residents the demo registry adds later: a few ordinary profiles in turn.
    static let others: [Profile] = [
        Profile(lines: [m("Levothyroxine", "100 micrograms", "once a day before breakfast", "Hypothyroidism", ago: 3000),
                        m("Colecalciferol", "800 units", "once a day", "Vitamin D deficiency", ago: 400),
                        m("Paracetamol", "1 g", "up to four times a day", "Pain", ago: 300, prn: true)], reviewDaysAgo: 60),
        Profile(lines: [m("Amlodipine", "5 mg", "once a day", "Hypertension", ago: 900),
                        m("Atorvastatin", "20 mg", "at night", "Cardiovascular prevention", ago: 900),
                        m("Lorazepam", "500 micrograms", "up to twice a day", "Acute anxiety", ago: 20, prn: true)], reviewDaysAgo: 200),
    ]

    static func seed(_ context: PluginContext, today: Day, table: DrugTable) throws {
        guard let directory = context.services.resolve(Services.residentDirectory) else {
            context.log.warning("medication-review.demo-skipped", ["reason": "no resident registry"])
            return
        }
        let residents = try directory.currentResidents()
        let author = Author(Principal(userID: 0, username: "demo", displayName: "Demo nurse", role: .nurse), at: HomeTime.startOf(today))
        let clinician = Author(Principal(userID: 0, username: "demo-gp", displayName: "Dr A Patel (demo)", role: .clinician), at: HomeTime.startOf(today))
        let service = MedicationService(database: context.database, services: context.services, table: table, today: { today })
        var otherIndex = 0
        for resident in residents {
            let profile: Profile
            if let known = byRoom[resident.room] { profile = known } else { profile = others[otherIndex % others.count]; otherIndex += 1 }
            let admitted = resident.latestAdmission ?? today.adding(days: -400)
            try context.database.write { db in
                for line in profile.lines {
                    var started = today.adding(days: -line.startedDaysAgo)
                    // Brought in with them: nothing recorded as started before the first admission.
                    if let first = resident.admittedOn, started < first { started = first }
                    let stop = line.courseDays.map { started.adding(days: $0) }
                    let record = MedicineRecord(residentID: resident.id, name: line.name, dose: line.dose, route: line.route, frequency: line.frequency,
                                                asNeeded: line.asNeeded, startedOn: started, indication: line.indication,
                                                stopOn: stop, stopReason: stop == nil ? "" : "\(line.courseDays ?? 0)-day course")
                    try MedicationStore.insertMedicine(db, record, by: author)
                }
                if profile.reconciled {
                    let on = min(admitted.adding(days: 1), today)
                    try MedicationStore.insertReconciliation(db, residentID: resident.id, on: on,
                                                             trigger: resident.latestAdmissionIsReadmission ? "hospital-return" : "admission",
                                                             triggerOn: admitted, sources: "Hospital discharge letter; GP record or Summary Care Record",
                                                             discrepanciesFound: resident.room == "2",
                                                             discrepancies: resident.room == "2" ? "Omeprazole missing from the GP list; confirmed with the surgery and continued." : "",
                                                             by: "Demo nurse", role: "Registered nurse", author: author)
                }
                if let daysAgo = profile.reviewDaysAgo {
                    var reviewed = today.adding(days: -daysAgo)
                    while reviewed.weekday.isWeekend { reviewed = reviewed.adding(days: -1) }   // GPs review on weekdays
                    try MedicationStore.insertReview(db, residentID: resident.id, on: reviewed, reviewer: "Dr A Patel (demo)", role: "GP",
                                                     discussedWith: "The resident and their representative",
                                                     discussion: "Went through each medicine and what it is for; daughter joined by phone.",
                                                     outcome: "Medicines continued; pain and sleep to be looked at again at the next home round.",
                                                     nextReview: reviewed.adding(months: 6), author: clinician)
                }
            }
            // Dismissals are tied to the facts they were made on, so they are added once the medicines exist.
            if !profile.dismissed.isEmpty, let medication = try service.load(residentID: resident.id) {
                try context.database.write { db in
                    for dismissal in profile.dismissed {
                        guard let item = medication.prompts.first(where: { $0.finding.rule.id == dismissal.rule }) else { continue }
                        try MedicationStore.insertAcknowledgement(db, residentID: resident.id, finding: item.finding, decision: "dismissed",
                                                                  reason: dismissal.reason, author: clinician)
                    }
                }
            }
        }
        context.log.info("medication-review.demo-seeded", ["residents.count": String(residents.count)])
    }
}
